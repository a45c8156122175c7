// Rijndael (AES) mode of fwknop (fwknop.md §1.5), OpenSSL `enc` compatible:
// "Salted__" ‖ salt ‖ AES-256-CBC(EVP_BytesToKey(MD5, 1 round), PKCS#7), in
// unpadded base64 with the always-identical "U2FsdGVkX1" prefix cut off the
// wire (lib/cipher_funcs.c rij_salt_and_iv(), rij_encrypt(), rij_decrypt();
// lib/fko_encryption.c _rijndael_encrypt(), _rijndael_decrypt()).
import crypto from 'node:crypto';
import { b64decodeStrict, b64encode } from './base64.js';
import { SALTED_PREFIX_B64 } from './hmac.js';
import type { EncryptionMode, SpaErrorCode } from './types.js';

const SALTED = Buffer.from('Salted__', 'latin1');
export const SALT_LEN = 8;
const BLOCK = 16;
/** RIJNDAEL_MIN_KEYSIZE: the legacy IV mode pads (or cuts) the passphrase to this. */
const LEGACY_KEY_LEN = 16;
/** MIN_SPA_ENCODED_MSG_SIZE / MAX_SPA_ENCODED_MSG_SIZE (lib/fko_limits.h). */
const MIN_PT = 36;
const MAX_PT = 1500;

/** EVP_BytesToKey(MD5, pass, salt, count 1): D1 = MD5(pass‖salt), Di = MD5(Di-1‖pass‖salt); key = D1‖D2, IV = D3. */
export function evpBytesToKey(pass: Uint8Array, salt: Uint8Array): { key: Buffer; iv: Buffer } {
  const d1 = crypto.createHash('md5').update(pass).update(salt).digest();
  const d2 = crypto.createHash('md5').update(d1).update(pass).update(salt).digest();
  const d3 = crypto.createHash('md5').update(d2).update(pass).update(salt).digest();
  return { key: Buffer.concat([d1, d2]), iv: d3 };
}

/**
 * The EVP password for a key: the key itself, or in legacy IV mode
 * (FKO_ENC_MODE_CBC_LEGACY_IV) right-padded with ASCII '0' to 16 bytes, and
 * cut to 16 bytes as the client and fwknopd do for longer keys (upstream #18).
 */
export function rijndaelPassword(key: Uint8Array, mode: EncryptionMode): Buffer {
  if (mode !== 'legacy') return Buffer.from(key);
  const out = Buffer.alloc(LEGACY_KEY_LEN, 0x30);
  out.set(key.subarray(0, LEGACY_KEY_LEN));
  return out;
}

/** The full b64 ciphertext, starting "U2FsdGVkX1" (fko_get_spa_data() then drops those 10 characters). */
export function encryptRijndael(plaintext: string, key: Uint8Array, mode: EncryptionMode, salt: Uint8Array): string {
  const { key: k, iv } = evpBytesToKey(rijndaelPassword(key, mode), salt);
  const c = crypto.createCipheriv('aes-256-cbc', k, iv); // PKCS#7, 1–16 bytes, like rij_encrypt()
  const ct = Buffer.concat([c.update(plaintext, 'latin1'), c.final()]);
  return b64encode(Buffer.concat([SALTED, salt, ct]));
}

export type DecryptOutcome =
  | { readonly ok: true; readonly plaintext: string }
  | { readonly ok: false; readonly code: SpaErrorCode; readonly reason: string };

function failed(code: SpaErrorCode, reason: string): DecryptOutcome {
  return { ok: false, code, reason };
}

/**
 * Decrypts the wire ciphertext text (prefix stripped, HMAC already removed)
 * and applies _rijndael_decrypt()'s sanity checks: whole blocks, the
 * "Salted__" header, the lenient padding strip, 36 ≤ plaintext < 1500 and
 * the 16 digits + ':' that show the key was right.
 */
export function decryptRijndael(wireCt: string, key: Uint8Array, mode: EncryptionMode): DecryptOutcome {
  const raw = b64decodeStrict(SALTED_PREFIX_B64 + wireCt);
  if (raw === undefined) return failed('SPA_NOT_BASE64', 'the ciphertext is not canonical unpadded base64');
  if (raw.length < 2 * BLOCK || raw.length % BLOCK !== 0) {
    return failed('SPA_DECRYPT_FAILED', `ciphertext of ${raw.length} bytes is not "Salted__", salt and whole AES blocks (wrong HMAC type or no HMAC expected?)`);
  }
  if (!raw.subarray(0, SALT_LEN).equals(SALTED)) return failed('SPA_DECRYPT_FAILED', 'ciphertext does not start with "Salted__"');
  const { key: k, iv } = evpBytesToKey(rijndaelPassword(key, mode), raw.subarray(SALT_LEN, 2 * SALT_LEN));
  const d = crypto.createDecipheriv('aes-256-cbc', k, iv);
  d.setAutoPadding(false);
  let pt = Buffer.concat([d.update(raw.subarray(2 * SALT_LEN)), d.final()]);
  // rij_decrypt() keeps every byte when the padding is malformed; here that is a refusal. Every
  // client pads (PKCS#7), and the lenient strip let anyone cut the whole padding block off a
  // captured HMAC-less packet and replay it under a new replay-cache key (found by fuzzing:
  // fuzz/regressions/spa-packet/, docs/fuzzing.md).
  const pad = pt[pt.length - 1]!;
  let good = pad >= 1 && pad <= BLOCK;
  for (let i = pt.length - pad; good && i < pt.length; i++) if (pt[i] !== pad) good = false;
  if (!good) return failed('SPA_DECRYPT_FAILED', 'decryption failed: malformed PKCS#7 padding (wrong key or mode, or a truncated packet)');
  pt = pt.subarray(0, pt.length - pad);
  // (The "within 32 bytes of the ciphertext length" check always holds: one salt block plus ≤ 16 bytes of padding.)
  if (pt.length < MIN_PT || pt.length >= MAX_PT) return failed('SPA_DECRYPT_FAILED', `decrypted length ${pt.length} is outside 36–1499 (wrong key?)`);
  for (let i = 0; i < 16; i++) {
    const c = pt[i]!;
    if (c < 0x30 || c > 0x39) return failed('SPA_DECRYPT_FAILED', 'decryption failed: the plaintext does not start with 16 digits (wrong key or mode)');
  }
  if (pt[16] !== 0x3a) return failed('SPA_DECRYPT_FAILED', 'decryption failed: no ":" after the 16-digit random value (wrong key or mode)');
  return { ok: true, plaintext: pt.toString('latin1') };
}
