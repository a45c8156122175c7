// Target: the SPA decode path (src/spa/codec.ts decodeSpa) on whole wire
// packets, with the HMAC, HMAC-SHA512, no-HMAC, legacy-IV and command-door key sets.
// Mutated packets rarely pass the HMAC; spa-fields reaches behind it.
import { decodeSpa, encodeSpa } from '../../spa/codec.js';
import { CAPTURED } from '../../spa/testdata/vectors.js';
import { prng, randomMessage } from '../../spa/testdata/helpers.js';
import { b64Char1, b64Length } from '../mutate-text.js';
import { ascii, text } from '../mutate.js';
import { violate, type Target } from '../target.js';
import { B64_DICTIONARY, KEYS, SALT, checkDecoded } from './spa-common.js';

const CONTRACT = 'decodeSpa(packet, keys) never throws and never takes its "internal decoder error" fallback; it returns '
  + '{ ok: false, error: SpaError } with one of the ten SPA_* codes, or { ok: true } for a packet that re-encodes '
  + 'byte for byte (same keys, salt and digest type); the packet as bytes and as a latin1 string give the same result.';

const KEY_SETS = Object.entries(KEYS);

function run(input: Uint8Array): string {
  const t = text(input);
  const labels: string[] = [];
  for (const [name, keys] of KEY_SETS) {
    const r = decodeSpa(t, keys);
    labels.push(`${name} ${checkDecoded(r, t, keys, `keys ${name}`)}`);
    const rb = decodeSpa(input, keys);
    if (rb.ok !== r.ok || (!rb.ok && !r.ok && rb.error.code !== r.error.code)) violate(`keys ${name}: bytes and string decode differently`);
  }
  return labels.join('|');
}

function seeds(): Uint8Array[] {
  const out = CAPTURED.map((v) => ascii(v.packet));
  const r = prng(0x5ea);
  for (const keys of Object.values(KEYS)) {
    for (let i = 0; i < 6; i++) {
      try {
        out.push(ascii(encodeSpa(randomMessage(r), keys, { salt: SALT })));
      } catch {
        // A random message can be too long for a packet; the next one will do.
      }
    }
  }
  return out;
}

export const spaPacketTarget: Target = {
  name: 'spa-packet',
  contract: CONTRACT,
  maxLen: 1600,
  seeds,
  mutators: [[b64Char1, 6], [b64Length, 2]],
  byteWeight: 2,
  dictionary: B64_DICTIONARY,
  run,
};
