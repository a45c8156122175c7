// encodeSpa → decodeSpa over many random messages and keys (seeded, so a
// failure names its seed and reproduces).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSpa, describeSpa, encodeSpaParts, randomValue } from './codec.js';
import { DIGEST_TYPES, prng, randomKeys, randomMessage } from './testdata/helpers.js';
import { SpaError, type InnerDigest, type SpaMessage } from './types.js';

const ROUNDS = 3000;

test(`${ROUNDS} random messages, keys, digests and HMAC types round-trip`, () => {
  const r = prng(0x5eed);
  let decoded = 0;
  let tooLong = 0;
  const seen = { types: new Set<number>(), digests: new Set<string>(), hmacs: new Set<string>(), legacy: 0, anyIp: 0, nat: 0, serverAuth: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    const m = randomMessage(r);
    const keys = randomKeys(r);
    const digest: InnerDigest = r.pick(DIGEST_TYPES);
    let parts;
    try {
      parts = encodeSpaParts(m, keys, { digest });
    } catch (e) {
      // Only the 400-character GPG threshold may refuse a valid message.
      assert.ok(e instanceof SpaError && e.code === 'SPA_BAD_FIELDS' && /400 or more/.test(e.message), `round ${i}: ${String(e)}`);
      tooLong++;
      continue;
    }
    assert.ok(parts.packet.length >= 140 && parts.packet.length < 400, `round ${i}: length ${parts.packet.length}`);
    assert.match(parts.packet, /^[89+/][A-Za-z0-9+/]+$/, 'a Rijndael packet starts with 8, 9, + or /');
    const out = decodeSpa(parts.packet, keys);
    assert.ok(out.ok, `round ${i}: ${out.ok ? '' : out.error.code + ': ' + out.error.message}`);
    assert.deepEqual(out.value.message, m, `round ${i}`);
    assert.equal(out.value.encoded, parts.encoded);
    assert.equal(out.value.innerDigest, parts.innerDigest);
    // SHA3 digests have the SHA2 lengths; decode tells them apart by trying both.
    assert.equal(out.value.digest, digest);
    assert.equal(out.value.hmac, parts.hmac);
    assert.equal(describeSpa(out.value).length, 19);
    decoded++;
    seen.types.add(m.type);
    seen.digests.add(digest);
    if (keys.hmac) seen.hmacs.add(keys.hmacDigest ?? 'sha256');
    if (keys.mode === 'legacy') seen.legacy++;
    if (m.allowIp === '0.0.0.0') seen.anyIp++;
    if (m.nat) seen.nat++;
    if (m.serverAuth !== undefined) seen.serverAuth++;
  }
  assert.ok(decoded > ROUNDS * 0.8, `decoded ${decoded}, refused as too long ${tooLong}`);
  assert.equal(seen.types.size, 7);
  assert.equal(seen.digests.size, 7);
  assert.equal(seen.hmacs.size, 7);
  assert.ok(seen.legacy > 50 && seen.anyIp > 100 && seen.nat > 500 && seen.serverAuth > 50, JSON.stringify({ ...seen, types: 0, digests: 0, hmacs: 0 }));
});

test('a packet only decodes with its own keys', () => {
  const r = prng(7);
  for (let i = 0; i < 200; i++) {
    const m = randomMessage(r);
    const keys = randomKeys(r);
    let packet: string;
    try { packet = encodeSpaParts(m, keys, { digest: 'md5' }).packet; } catch { continue; }
    const other = randomKeys(r);
    const out = decodeSpa(packet, other);
    assert.ok(!out.ok, `round ${i}`);
    assert.ok(['SPA_BAD_HMAC', 'SPA_DECRYPT_FAILED', 'SPA_NOT_BASE64'].includes(out.error.code), out.error.code);
    if (other.hmac) assert.equal(out.error.code, 'SPA_BAD_HMAC');
  }
});

test('randomValue() gives 16 digits, all positions varying', () => {
  const seen = Array.from({ length: 16 }, () => new Set<string>());
  for (let i = 0; i < 500; i++) {
    const v = randomValue();
    assert.match(v, /^[0-9]{16}$/);
    [...v].forEach((c, j) => seen[j]!.add(c));
  }
  assert.ok(seen.every((s) => s.size === 10));
});

test('random salts: the same message never encodes to the same packet twice', () => {
  const m: SpaMessage = { random: randomValue(), username: 'root', timestamp: 1_700_000_000, version: '3.0.0', type: 1, allowIp: '0.0.0.0', access: [{ proto: 'tcp', port: 22 }] };
  const keys = { encryption: Buffer.from('k'.repeat(32)), hmac: Buffer.from('h'.repeat(64)) };
  const packets = new Set(Array.from({ length: 100 }, () => encodeSpaParts(m, keys).packet));
  assert.equal(packets.size, 100);
});
