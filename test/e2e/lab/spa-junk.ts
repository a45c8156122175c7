// SPA flood payloads: what an attacker without the keys can send to an SPA
// port. Each kind stops at a different check of the gate (src/spa-server/gate.ts):
// base64 of the right length with a made-up HMAC (the HMAC check, the most
// work per packet), a packet encrypted with the right key but a wrong HMAC
// key (as a sniffer who learnt only the encryption key would send), random
// bytes (the character check), too short, long enough to look like GPG.
import { randomBytes } from 'node:crypto';
import { encodeSpa, randomValue } from '../../../src/spa/codec.js';
import { base64Junk, Rng } from './frames.js';
import { SPA_KEY } from './attack.js';

export type JunkKind = 'b64-hmac' | 'wrong-hmac-key' | 'random-bytes' | 'too-short' | 'gpg-sized' | 'prefixed';
export const JUNK_KINDS: readonly JunkKind[] = ['b64-hmac', 'wrong-hmac-key', 'random-bytes', 'too-short', 'gpg-sized', 'prefixed'];

/** The refusal reason the daemon counts for each kind. */
export const JUNK_REASON: Readonly<Record<JunkKind, string>> = {
  'b64-hmac': 'bad-hmac',
  'wrong-hmac-key': 'bad-hmac',
  'random-bytes': 'not-base64',
  'too-short': 'too-short',
  'gpg-sized': 'gpg',
  prefixed: 'prefixed',
};

/** One payload of `kind`, at most `max` bytes (a frame's room for a UDP payload is 1,472). */
export function junkPayload(rng: Rng, kind: JunkKind, max = 1472): Buffer {
  switch (kind) {
    case 'b64-hmac':
      // A real packet is 180-300 characters: encrypted fields, then 43 of HMAC-SHA256.
      return base64Junk(rng, rng.int(180, 320));
    case 'wrong-hmac-key': {
      const text = encodeSpa({
        random: randomValue(), username: 'root', timestamp: Math.floor(Date.now() / 1000), version: '3.0.0', type: 1,
        allowIp: rng.ip4(), access: [{ proto: 'tcp', port: 22 }],
      }, { encryption: Buffer.from(SPA_KEY, 'base64'), hmac: randomBytes(64) });
      return Buffer.from(text, 'latin1');
    }
    case 'random-bytes': {
      const b = rng.bytes(rng.int(140, max));
      b[0] = 0xff; // never all base64 by chance
      return b;
    }
    case 'too-short':
      return base64Junk(rng, rng.int(0, 139));
    case 'gpg-sized':
      return base64Junk(rng, rng.int(400, max));
    case 'prefixed':
      return Buffer.concat([Buffer.from('U2FsdGVkX1'), base64Junk(rng, rng.int(170, 300))]);
  }
}
