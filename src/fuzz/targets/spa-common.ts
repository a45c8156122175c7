// Shared by the SPA targets: the key sets packets are decoded with, and the
// checks every decode result must pass.
import { b64decodeStrict } from '../../spa/base64.js';
import { encodeSpa } from '../../spa/codec.js';
import { SALTED_PREFIX_B64 } from '../../spa/hmac.js';
import { LIMITS } from '../../spa/validate.js';
import { SpaError, type DecodeResult, type SpaErrorCode, type SpaKeys } from '../../spa/types.js';
import { ascii } from '../mutate.js';
import { violate } from '../target.js';

/** Key set "A" of the research vectors (fwknop --key-gen), and vector 16's legacy passphrase. */
const KEY_A = Buffer.from('cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=', 'base64');
const HMAC_A = Buffer.from('lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==', 'base64');

export const KEYS = {
  hmac: { encryption: KEY_A, hmac: HMAC_A, hmacDigest: 'sha256' },
  hmac512: { encryption: KEY_A, hmac: HMAC_A, hmacDigest: 'sha512' },
  plain: { encryption: KEY_A },
  legacy: { encryption: Buffer.from('short', 'latin1'), mode: 'legacy' },
  // A stanza that runs command messages: the 400-character GPG rule applies to the ciphertext alone.
  commands: { encryption: KEY_A, hmac: HMAC_A, commands: true },
} as const satisfies Record<string, SpaKeys>;

export const SALT = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

const CODES: ReadonlySet<SpaErrorCode> = new Set([
  'SPA_TOO_SHORT', 'SPA_TOO_LONG', 'SPA_NOT_BASE64', 'SPA_PREFIXED', 'SPA_GPG', 'SPA_BAD_HMAC',
  'SPA_DECRYPT_FAILED', 'SPA_BAD_DIGEST', 'SPA_BAD_FIELDS', 'SPA_BAD_KEY',
]);

/**
 * The contract of decodeSpa() for one result: a typed refusal that is not the
 * catch-all for an unexpected exception, or an acceptance of a packet that
 * re-encodes (same keys, its own salt and digest type) to exactly the same
 * text, i.e. no bit of an accepted packet is malleable.
 */
export function checkDecoded(r: DecodeResult, text: string, keys: SpaKeys, what: string): string {
  if (r === null || typeof r !== 'object') violate(`${what}: decodeSpa returned ${String(r)}`);
  if (!r.ok) {
    if (!(r.error instanceof SpaError) || !CODES.has(r.error.code)) violate(`${what}: refusal is not a typed SpaError: ${String(r.error)}`);
    // codec.ts turns an unexpected exception into this message rather than throwing it.
    if (r.error.message.startsWith('internal decoder error')) violate(`${what}: ${r.error.message}`);
    return `${r.error.code}: ${r.error.message.split(/[:;(]/)[0]!.slice(0, 60)}`;
  }
  const v = r.value;
  if (v.packet !== text) violate(`${what}: decoded packet text differs from the input`);
  const raw = b64decodeStrict(SALTED_PREFIX_B64 + text.slice(0, text.length - (v.hmac?.length ?? 0)));
  if (!raw) violate(`${what}: accepted a packet whose ciphertext is not base64`);
  // fwknopd takes a client timeout of 0 on a timeout type (and uses its default), libfko never sends one
  // (fko_set_spa_client_timeout(0) drops back to the plain type), so such a packet cannot be re-encoded.
  const t = v.message.type;
  if ((t === 3 || t === 4 || t === 6) && v.message.clientTimeout === 0) return `ok type ${t} timeout 0`;
  // Likewise libfko decodes a server auth up to the 256-character field cap, but sets only ones under 64.
  if ((v.message.serverAuth?.length ?? 0) >= LIMITS.serverAuthRaw) return `ok type ${t} long server auth`;
  let again: string;
  try {
    again = encodeSpa(v.message, keys, { salt: raw.subarray(8, 16), digest: v.digest });
  } catch (e) {
    violate(`${what}: accepted a message the encoder refuses: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (again !== text) violate(`${what}: accepted packet does not re-encode to itself (malleable or non-canonical)`);
  return `ok type ${v.message.type}`;
}

export const B64_DICTIONARY: readonly Uint8Array[] = ['U2FsdGVkX1', 'hQ', '+', '/', '8', '9', '=', 'AAAA', '////'].map(ascii);
