// Target: the SPA decode path behind the crypto. The input is the plaintext
// (the encoded fields, with or without the ":digest"); the harness encrypts
// it with a known key and salt (and HMACs it), so every mutation reaches
// decryption checks, the digest check and fko_decode_spa_data()'s field
// parsing (src/spa/fields.ts) through decodeSpa().
import { encryptRijndael } from '../../spa/cipher.js';
import { encodeFields } from '../../spa/fields.js';
import { DIGESTS, digestB64 } from '../../spa/digest.js';
import { hmacB64 } from '../../spa/hmac.js';
import { decodeSpa } from '../../spa/codec.js';
import { DETERMINISTIC } from '../../spa/testdata/vectors.js';
import { prng, randomMessage } from '../../spa/testdata/helpers.js';
import type { SpaKeys } from '../../spa/types.js';
import { tokenMutator } from '../mutate-text.js';
import { ascii, text } from '../mutate.js';
import { violate, type Target } from '../target.js';
import { KEYS, SALT, checkDecoded } from './spa-common.js';

const CONTRACT = 'For any plaintext, with a correct digest appended or as is, encrypted (AES-CBC with HMAC-SHA256 or -SHA512, or legacy IV without HMAC) and decoded with '
  + 'decodeSpa(): the spa-packet contract holds, and an accepted plaintext\'s fields re-encode to the same text '
  + '(encodeFields(decoded) equals the encoded fields).';

/** The wire packet for a plaintext under these keys. */
function wrap(plaintext: string, keys: SpaKeys): string {
  const ct = encryptRijndael(plaintext, keys.encryption, keys.mode ?? 'cbc', SALT).slice(10);
  return keys.hmac ? ct + hmacB64(keys.hmacDigest ?? 'sha256', keys.hmac, ct) : ct;
}

function run(input: Uint8Array): string {
  const t = text(input);
  let sum = 0;
  for (const b of input) sum += b;
  // With a correct digest of a type picked from the input, so the fields are parsed; and as is, so the digest is.
  const withDigest = `${t}:${digestB64(DIGESTS[sum % DIGESTS.length]!, t)}`;
  const a = wrap(withDigest, KEYS.hmac);
  const ra = decodeSpa(a, KEYS.hmac);
  const la = checkDecoded(ra, a, KEYS.hmac, 'with digest');
  if (ra.ok && !/timeout 0|long server auth/.test(la) && encodeFields(ra.value.message) !== t) violate('accepted fields do not re-encode to the input plaintext');
  const b = wrap(t, KEYS.hmac512);
  const lb = checkDecoded(decodeSpa(b, KEYS.hmac512), b, KEYS.hmac512, 'as is');
  const c = wrap(withDigest, KEYS.legacy);
  const lc = checkDecoded(decodeSpa(c, KEYS.legacy), c, KEYS.legacy, 'with digest, legacy IV, no HMAC');
  return `a ${la}|b ${lb}|c ${lc}`;
}

function seeds(): Uint8Array[] {
  const out = DETERMINISTIC.map((v) => ascii(v.expected.encoded_fields));
  const r = prng(0xf1e1d);
  for (let i = 0; i < 40; i++) {
    try {
      out.push(ascii(encodeFields(randomMessage(r))));
    } catch {
      // Too long for a field: skip.
    }
  }
  return out;
}

export const spaFieldsTarget: Target = {
  name: 'spa-fields',
  contract: CONTRACT,
  maxLen: 300,
  seeds,
  mutators: [[tokenMutator(['3.0.0', 'cm9vdA', 'MTI3LjAuMC4yLHRjcC8yMg', '1425463354494151', '0', '6', '65536']), 6]],
  byteWeight: 4,
  dictionary: [':', '::', 'cm9vdA', 'MTI3LjAuMC4yLHRjcC8yMg', '0000000000000000', '3.0.0', '2147483647', '2147483648'].map(ascii),
  run,
};
