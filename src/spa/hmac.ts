// The SPA HMAC (fwknop.md §1.6): Encrypt-then-MAC over the base64 *text* of
// the ciphertext with its "U2FsdGVkX1" prefix restored, i.e.
// HMAC(key, "U2FsdGVkX1" + wire_ct), b64 without `=`, appended to the packet
// with no separator (fko_set_spa_hmac(), fko_verify_hmac() in lib/fko_hmac.c;
// lib/hmac.c is standard RFC 2104 HMAC, the SHA3 ones with the Keccak rate as
// block size, as OpenSSL does). The type is not self-describing: the receiver
// cuts as many trailing characters as its configured type produces.
//
// `crypto` is the default import and its functions are looked up at call time
// so a test can watch timingSafeEqual / createDecipheriv being (not) called.
import crypto from 'node:crypto';
import { b64encode } from './base64.js';
import type { HmacDigest } from './types.js';

/** B64_RIJNDAEL_SALT (lib/cipher_funcs.h): the b64 of "Salted__"'s first 60 bits, stripped from every packet. */
export const SALTED_PREFIX_B64 = 'U2FsdGVkX1';

/** b64 length of each HMAC type (same as the digests of the same hash). */
export const HMAC_B64_LEN: Readonly<Record<HmacDigest, number>> = {
  md5: 22, sha1: 27, sha256: 43, sha384: 64, sha512: 86, 'sha3-256': 43, 'sha3-512': 86,
};

/** b64(HMAC(key, "U2FsdGVkX1" + wireCt)) without `=`. */
export function hmacB64(type: HmacDigest, key: Uint8Array, wireCt: string): string {
  return b64encode(crypto.createHmac(type, key).update(SALTED_PREFIX_B64 + wireCt, 'latin1').digest());
}

/**
 * Constant-time string equality (constant_runtime_cmp() in common/fko_util.c,
 * the fix for upstream #85) via crypto.timingSafeEqual on equal-length
 * buffers. Different lengths are unequal; the length is public (it follows
 * from the configured digest type), so no attempt is made to hide it.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  if (x.length !== y.length) return false;
  return crypto.timingSafeEqual(x, y);
}

/** Whether the trailing HMAC of `packet` is right for the key and type; splits off the ciphertext text. */
export function checkHmac(packet: string, type: HmacDigest, key: Uint8Array): { ok: boolean; wireCt: string; hmac: string } {
  const n = HMAC_B64_LEN[type];
  const wireCt = packet.slice(0, Math.max(0, packet.length - n));
  const hmac = packet.slice(wireCt.length);
  const ok = wireCt.length > 0 && constantTimeEqual(hmacB64(type, key, wireCt), hmac);
  return { ok, wireCt, hmac };
}
