// Key checks shared by encodeSpa() and decodeSpa(), and usable at config-load
// time (validateSpaKeys()) so a bad stanza is reported once, not per packet.
import { isDigest } from './digest.js';
import { SpaError, type EncryptionMode, type HmacDigest, type SpaKeys } from './types.js';

/** RIJNDAEL_MAX_KEYSIZE: a 33-byte key gives "Error 95 – Invalid key length" (fwknop.md §1.5). */
export const MAX_ENCRYPTION_KEY_LEN = 32;
/** MAX_KEY_LEN in the fwknop CLI (common/common.h); libfko would take 136 but hashes only the first 128 (upstream #246). */
export const MAX_HMAC_KEY_LEN = 128;

export interface ResolvedKeys {
  readonly encryption: Uint8Array;
  readonly hmac?: Uint8Array;
  readonly hmacDigest: HmacDigest;
  readonly mode: EncryptionMode;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The keys with defaults applied, or why they cannot be used. `forEncode`
 * adds the client-only rule: legacy IV mode cannot be combined with HMAC
 * (the fwknop client refuses it).
 */
export function resolveKeys(keys: SpaKeys, forEncode: boolean): ResolvedKeys | string {
  if (keys === null || typeof keys !== 'object') return 'no keys given';
  const { encryption, hmac } = keys;
  if (!(encryption instanceof Uint8Array)) return 'the encryption key must be bytes (a Uint8Array)';
  if (encryption.length < 1 || encryption.length > MAX_ENCRYPTION_KEY_LEN) {
    return `the encryption key is ${encryption.length} bytes; fwknop needs 1–${MAX_ENCRYPTION_KEY_LEN}`;
  }
  const hmacDigest = keys.hmacDigest ?? 'sha256';
  if (!isDigest(hmacDigest)) return `unknown HMAC digest type ${String(hmacDigest)}`;
  const mode = keys.mode ?? 'cbc';
  if (mode !== 'cbc' && mode !== 'legacy') return `unsupported encryption mode ${String(mode)} (only cbc and legacy)`;
  if (hmac !== undefined) {
    if (!(hmac instanceof Uint8Array)) return 'the HMAC key must be bytes (a Uint8Array)';
    if (hmac.length < 1 || hmac.length > MAX_HMAC_KEY_LEN) return `the HMAC key is ${hmac.length} bytes; fwknop needs 1–${MAX_HMAC_KEY_LEN}`;
    if (sameBytes(hmac, encryption)) return 'the HMAC key must differ from the encryption key (fwknop and fwknopd refuse identical keys)';
    if (forEncode && mode === 'legacy') return 'legacy IV mode cannot be combined with HMAC (the fwknop client refuses it)';
  }
  return { encryption, ...(hmac !== undefined ? { hmac } : {}), hmacDigest, mode };
}

/** An SpaError('SPA_BAD_KEY') describing why these keys cannot decode (or, with forEncode, encode), or undefined. */
export function validateSpaKeys(keys: SpaKeys, forEncode = false): SpaError | undefined {
  const r = resolveKeys(keys, forEncode);
  return typeof r === 'string' ? new SpaError('SPA_BAD_KEY', r) : undefined;
}
