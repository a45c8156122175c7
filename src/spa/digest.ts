// The inner digest (fwknop.md §1.4): b64(HASH(encoded)) with `=` stripped,
// appended to the plaintext after a ':' (lib/fko_digest.c set_digest(),
// lib/digest.c *_base64()). The receiver infers the type from the b64 length
// (is_valid_digest_len() in lib/fko_decode.c) and tries SHA3 after the SHA2
// of the same length; verify_digest() compares with constant_runtime_cmp().
import crypto from 'node:crypto';
import { b64encode } from './base64.js';
import { constantTimeEqual } from './hmac.js';
import type { InnerDigest } from './types.js';

export const DIGESTS: readonly InnerDigest[] = ['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-512'];

/** Length of the `=`-stripped b64 of each digest (MD5_B64_LEN … SHA3_512_B64_LEN in lib/digest.h). */
export const DIGEST_B64_LEN: Readonly<Record<InnerDigest, number>> = {
  md5: 22, sha1: 27, sha256: 43, sha384: 64, sha512: 86, 'sha3-256': 43, 'sha3-512': 86,
};

/** fko_digest_type_t (lib/fko.h); the HMAC types (fko_hmac_type_t) use the same numbers. */
export const DIGEST_NUMBER: Readonly<Record<InnerDigest, number>> = {
  md5: 1, sha1: 2, sha256: 3, sha384: 4, sha512: 5, 'sha3-256': 6, 'sha3-512': 7,
};

/** digest_inttostr() / hmac_digest_inttostr() (common/fko_util.c). */
export const DIGEST_NAME: Readonly<Record<InnerDigest, string>> = {
  md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256', sha384: 'SHA384', sha512: 'SHA512', 'sha3-256': 'SHA3_256', 'sha3-512': 'SHA3_512',
};

export function isDigest(d: unknown): d is InnerDigest {
  return typeof d === 'string' && (DIGESTS as readonly string[]).includes(d);
}

/** b64(HASH(text)) without `=`; text is hashed as its latin1 bytes (it is ASCII). */
export function digestB64(type: InnerDigest, text: string): string {
  return b64encode(crypto.createHash(type).update(text, 'latin1').digest());
}

/** The candidate types for a digest of this b64 length, in the order fwknopd tries them. */
export function digestCandidates(b64Length: number): readonly InnerDigest[] {
  switch (b64Length) {
    case 22: return ['md5'];
    case 27: return ['sha1'];
    case 43: return ['sha256', 'sha3-256'];
    case 64: return ['sha384'];
    case 86: return ['sha512', 'sha3-512'];
    default: return [];
  }
}

/** The digest type whose b64 of `encoded` equals `digest` (constant-time compare), or undefined. */
export function verifyDigest(encoded: string, digest: string): InnerDigest | undefined {
  for (const type of digestCandidates(digest.length)) {
    if (constantTimeEqual(digestB64(type, encoded), digest)) return type;
  }
  return undefined;
}
