// The SPA codec: fwknop 2.6.10 / FKO protocol 3.0.0 packets, Rijndael mode
// (fwknop.md §1). Pure: no I/O, the time is the message's timestamp, the only
// randomness is the salt (EncodeOptions.salt fixes it) and randomValue().
//
// encode: fields → digest → AES → strip "U2FsdGVkX1" → + HMAC
//         (fko_spa_data_final() in lib/fko_funcs.c)
// decode: size/charset/prefix/GPG → HMAC (constant time, before any
//         decryption) → AES → 16 digits + ':' → digest → fields
//         (incoming_spa.c, fko_new_with_data(), fko_decode_spa_data())
import crypto from 'node:crypto';
import { decryptRijndael, encryptRijndael, SALT_LEN } from './cipher.js';
import { digestB64, isDigest, verifyDigest } from './digest.js';
import { encodeFields, parseFields } from './fields.js';
import { checkHmac, hmacB64, SALTED_PREFIX_B64 } from './hmac.js';
import { resolveKeys } from './keys.js';
import { MAX_SPA_PACKET_LEN, MIN_GNUPG_MSG_SIZE, MIN_SPA_DATA_SIZE, packetText, precheckText, replayDigest } from './precheck.js';
import { MessageType, SpaError, type DecodeResult, type EncodeOptions, type HmacDigest, type InnerDigest, type SpaErrorCode, type SpaKeys, type SpaMessage } from './types.js';
import { isPrintableAscii } from './validate.js';

export { describeSpa, spaFieldValues } from './describe.js';
export { FKO_PROTOCOL_VERSION } from './fields.js';
export { validateSpaKeys } from './keys.js';
export { precheck, replayDigest, MIN_SPA_DATA_SIZE, MAX_SPA_PACKET_LEN, MIN_GNUPG_MSG_SIZE } from './precheck.js';

/** Every intermediate of one encoding, as `fwknop -v` shows them. */
export interface SpaEncoding {
  /** The field string ("Encoded Data"). */
  readonly encoded: string;
  /** b64 inner digest ("SPA Data Digest"). */
  readonly innerDigest: string;
  readonly digest: InnerDigest;
  /** encoded ":" innerDigest, the AES input. */
  readonly plaintext: string;
  /** b64("Salted__" ‖ salt ‖ ct), starting "U2FsdGVkX1". */
  readonly ciphertext: string;
  /** b64 HMAC, when keys.hmac is set. */
  readonly hmac?: string;
  /** The UDP payload ("Final SPA Data"). */
  readonly packet: string;
}

/** Encodes with every intermediate; throws SpaError('SPA_BAD_FIELDS' | 'SPA_BAD_KEY'). */
export function encodeSpaParts(message: SpaMessage, keys: SpaKeys, options: EncodeOptions = {}): SpaEncoding {
  const k = resolveKeys(keys, true);
  if (typeof k === 'string') throw new SpaError('SPA_BAD_KEY', k);
  const digest = options.digest ?? 'sha256';
  if (!isDigest(digest)) throw new SpaError('SPA_BAD_FIELDS', `unknown digest type ${String(digest)}`);
  const salt = options.salt ?? crypto.randomBytes(SALT_LEN);
  if (!(salt instanceof Uint8Array) || salt.length !== SALT_LEN) throw new SpaError('SPA_BAD_FIELDS', `the salt must be ${SALT_LEN} bytes`);
  const encoded = encodeFields(message);
  const innerDigest = digestB64(digest, encoded);
  const plaintext = `${encoded}:${innerDigest}`;
  // MAX_SPA_PLAINTEXT_MSG_SIZE is 1500 too (the 400-char packet limit below is the one that bites).
  if (plaintext.length >= MAX_SPA_PACKET_LEN) throw new SpaError('SPA_BAD_FIELDS', 'the SPA plaintext is 1500 characters or more');
  const ciphertext = encryptRijndael(plaintext, k.encryption, k.mode, salt);
  const wireCt = ciphertext.slice(10);
  const hmac = k.hmac ? hmacB64(k.hmacDigest, k.hmac, wireCt) : undefined;
  const packet = hmac ? wireCt + hmac : wireCt;
  // For a stanza with ENABLE_CMD_EXEC, measured without its HMAC (SpaKeys.commands).
  const measured = options.commands === true ? wireCt.length + SALTED_PREFIX_B64.length : packet.length;
  if (measured >= MIN_GNUPG_MSG_SIZE) {
    const what = measured === packet.length ? `${packet.length} characters` : `${packet.length} characters (${measured} without its HMAC, with "U2FsdGVkX1")`;
    throw new SpaError('SPA_BAD_FIELDS', `the packet would be ${what}; fwknopd classifies ${MIN_GNUPG_MSG_SIZE} or more as GPG and drops it (shorten the ${message.type === MessageType.command ? 'command or the username' : 'username, access list or digest'})`);
  }
  if (packet.length < MIN_SPA_DATA_SIZE) {
    throw new SpaError('SPA_BAD_FIELDS', `the packet would be ${packet.length} characters; fwknopd ignores payloads shorter than ${MIN_SPA_DATA_SIZE} (use a longer digest or an HMAC)`);
  }
  return { encoded, innerDigest, digest, plaintext, ciphertext, ...(hmac ? { hmac } : {}), packet };
}

/** The SPA packet string (the UDP payload) for a message; throws SpaError('SPA_BAD_FIELDS' | 'SPA_BAD_KEY'). */
export function encodeSpa(message: SpaMessage, keys: SpaKeys, options?: EncodeOptions): string {
  return encodeSpaParts(message, keys, options).packet;
}

/** A refusal is a result, not an exception: skip the stack capture (≈ 2.5 µs, most of the cost of a junk packet). */
function refuse(code: SpaErrorCode, reason: string): DecodeResult {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return { ok: false, error: new SpaError(code, reason) };
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function decodeUnsafe(packet: string | Uint8Array, keys: SpaKeys): DecodeResult {
  if (typeof packet !== 'string' && !(packet instanceof Uint8Array)) return refuse('SPA_NOT_BASE64', 'the packet is neither a string nor bytes');
  const text = packetText(packet);
  // Not `keys.commands`: keys may be anything here (refused as SPA_BAD_KEY below).
  const commands = typeof keys === 'object' && keys !== null && (keys as SpaKeys).commands === true;
  const pre = precheckText(text, commands);
  if (pre) return refuse(pre.code, pre.reason);
  const k = resolveKeys(keys, false);
  if (typeof k === 'string') return refuse('SPA_BAD_KEY', k);
  let wireCt = text;
  let hmac: string | undefined;
  let hmacDigest: HmacDigest | undefined;
  if (k.hmac) {
    const h = checkHmac(text, k.hmacDigest, k.hmac);
    if (!h.ok) return refuse('SPA_BAD_HMAC', `HMAC (${k.hmacDigest}) mismatch: wrong HMAC key or type, no HMAC on the packet, or a modified packet`);
    ({ wireCt, hmac } = h);
    hmacDigest = k.hmacDigest;
  }
  // libfko's own type check (fko_encryption_type() on the prefixed ciphertext), all fwknopd leaves to a command stanza.
  if (commands && wireCt.length + SALTED_PREFIX_B64.length >= MIN_GNUPG_MSG_SIZE) {
    return refuse('SPA_GPG', `GPG-encrypted SPA (${wireCt.length + SALTED_PREFIX_B64.length} chars without the HMAC, with "U2FsdGVkX1"; libfko treats ≥ ${MIN_GNUPG_MSG_SIZE} as GPG) is not supported, only Rijndael (KEY/KEY_BASE64) SPA`);
  }
  const d = decryptRijndael(wireCt, k.encryption, k.mode);
  if (!d.ok) return refuse(d.code, d.reason);
  const pt = d.plaintext;
  // fko_decode_spa_data(): isprint() everywhere, at least MIN_SPA_FIELDS (6) ':', digest after the last one.
  if (!isPrintableAscii(pt)) return refuse('SPA_BAD_FIELDS', 'the decrypted data has non-printable characters');
  const cut = pt.lastIndexOf(':');
  let colons = 0;
  for (let i = 0; i < pt.length; i++) if (pt.charCodeAt(i) === 0x3a) colons++;
  if (colons < 6) return refuse('SPA_BAD_FIELDS', 'the decrypted data has fewer than 7 fields');
  const encoded = pt.slice(0, cut);
  const innerDigest = pt.slice(cut + 1);
  const digest = verifyDigest(encoded, innerDigest);
  if (!digest) return refuse('SPA_BAD_DIGEST', `inner digest (${innerDigest.length} chars) does not match the data`);
  const message = parseFields(encoded);
  return {
    ok: true,
    value: {
      message, digest, replayDigest: replayDigest(text), encoded, innerDigest, packet: text,
      ...(hmac !== undefined ? { hmac, hmacDigest } : {}), mode: k.mode,
    },
  };
}

/**
 * Decodes and authenticates one packet with one stanza's keys. Never throws:
 * every refusal is { ok: false, error } with a stable SpaError code.
 * Without keys.hmac, a packet that carries an HMAC fails (as in fwknopd).
 */
export function decodeSpa(packet: string | Uint8Array, keys: SpaKeys): DecodeResult {
  try {
    return decodeUnsafe(packet, keys);
  } catch (e) {
    if (e instanceof SpaError) return { ok: false, error: e };
    // Not reachable by design (the tests throw every kind of input at it); never let it escape.
    return refuse('SPA_BAD_FIELDS', `internal decoder error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A fresh 16-digit random value (fko_set_rand_value(), lib/fko_rand_value.c), from crypto.randomInt. */
export function randomValue(): string {
  const hi = crypto.randomInt(0, 100_000_000);
  const lo = crypto.randomInt(0, 100_000_000);
  return String(hi).padStart(8, '0') + String(lo).padStart(8, '0');
}
