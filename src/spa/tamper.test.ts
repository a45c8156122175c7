// Modified, truncated, oversize, undersize and random packets: always refused,
// never an exception, and with a code that follows from the input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b64decodeStrict, b64encode, isB64Alphabet } from './base64.js';
import { decodeSpa } from './codec.js';
import { SALTED_PREFIX_B64 } from './hmac.js';
import { CAPTURED, DETERMINISTIC } from './testdata/vectors.js';
import { keysOfCaptured, keysOfDeterministic, prng } from './testdata/helpers.js';
import type { DecodeResult, SpaErrorCode, SpaKeys } from './types.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** decodeSpa, asserting it neither throws nor reports an internal error. */
function decode(packet: unknown, keys: unknown): DecodeResult {
  let r: DecodeResult;
  try {
    r = decodeSpa(packet as string, keys as SpaKeys);
  } catch (e) {
    assert.fail(`decodeSpa threw: ${String(e)}`);
  }
  if (!r.ok) assert.doesNotMatch(r.error.message, /internal decoder error/);
  return r;
}

/** The code the cheap checks predict, before the keys matter. */
function precheckModel(p: string): SpaErrorCode | undefined {
  if (p.length < 140) return 'SPA_TOO_SHORT';
  if (p.length > 1500) return 'SPA_TOO_LONG';
  if (p.startsWith(SALTED_PREFIX_B64)) return 'SPA_PREFIXED';
  if (!isB64Alphabet(p)) return 'SPA_NOT_BASE64';
  if (p.length >= 400 || p.startsWith('hQ')) return 'SPA_GPG';
  return undefined;
}

/** The full prediction for a packet that is not a valid one for these keys. */
function model(p: string, keys: SpaKeys): SpaErrorCode | readonly SpaErrorCode[] {
  const pre = precheckModel(p);
  if (pre) return pre;
  if (keys.hmac) return 'SPA_BAD_HMAC';
  if (!b64decodeStrict(SALTED_PREFIX_B64 + p)) return 'SPA_NOT_BASE64';
  return ['SPA_DECRYPT_FAILED', 'SPA_BAD_DIGEST', 'SPA_BAD_FIELDS'];
}

function expectRefused(p: string, keys: SpaKeys, label: string): SpaErrorCode {
  const r = decode(p, keys);
  assert.ok(!r.ok, `${label}: accepted`);
  const want = model(p, keys);
  if (typeof want === 'string') assert.equal(r.error.code, want, `${label}: ${r.error.message}`);
  else assert.ok(want.includes(r.error.code), `${label}: ${r.error.code} ${r.error.message}`);
  return r.error.code;
}

const SAMPLES: Array<[string, string, SpaKeys]> = [
  ...DETERMINISTIC.map((v): [string, string, SpaKeys] => [v.name, v.expected.wire_packet, keysOfDeterministic(v)]),
  ...CAPTURED.map((v): [string, string, SpaKeys] => [v.name, v.packet, keysOfCaptured(v)]),
];

test('every single-character change of a valid packet is refused (every position, 4 replacements)', () => {
  const tally: Record<string, number> = {};
  let changes = 0;
  for (const [name, packet, keys] of SAMPLES) {
    assert.ok(decode(packet, keys).ok, name);
    for (let i = 0; i < packet.length; i++) {
      const at = ALPHABET.indexOf(packet[i]!);
      for (const c of [ALPHABET[(at + 1) % 64]!, ALPHABET[(at + 17) % 64]!, ALPHABET[(at + 40) % 64]!, i % 2 ? '=' : '.']) {
        const p = packet.slice(0, i) + c + packet.slice(i + 1);
        const code = expectRefused(p, keys, `${name} @${i} → ${c}`);
        tally[`${keys.hmac ? 'hmac' : 'no-hmac'} ${code}`] = (tally[`${keys.hmac ? 'hmac' : 'no-hmac'} ${code}`] ?? 0) + 1;
        changes++;
      }
    }
  }
  assert.ok(changes > 8000, String(changes));
  // With an HMAC every b64 change is an HMAC failure; without one, some reach the digest or field checks.
  assert.ok((tally['hmac SPA_BAD_HMAC'] ?? 0) > 5000 && (tally['no-hmac SPA_DECRYPT_FAILED'] ?? 0) > 0, JSON.stringify(tally));
});

test('deletions, insertions, swaps, truncations, extensions and a restored prefix are refused', () => {
  for (const [name, packet, keys] of SAMPLES) {
    for (let i = 0; i < packet.length; i++) {
      expectRefused(packet.slice(0, i) + packet.slice(i + 1), keys, `${name} delete @${i}`);
      expectRefused(packet.slice(0, i) + 'A' + packet.slice(i), keys, `${name} insert @${i}`);
      expectRefused(packet.slice(0, i), keys, `${name} truncate to ${i}`);
      if (packet[i] !== packet[i + 1] && i + 1 < packet.length) {
        expectRefused(packet.slice(0, i) + packet[i + 1] + packet[i] + packet.slice(i + 2), keys, `${name} swap @${i}`);
      }
    }
    for (const tail of ['A', 'AAAA', '\n', '\r\n', ' ', '\0', packet]) expectRefused(packet + tail, keys, `${name} + ${JSON.stringify(tail.slice(0, 4))}`);
    const prefixed = decode(SALTED_PREFIX_B64 + packet, keys);
    assert.ok(!prefixed.ok && prefixed.error.code === 'SPA_PREFIXED', `${name} with U2FsdGVkX1 restored`);
    expectRefused(packet.replace(/\+/g, '-').replace(/\//g, '_'), keys, `${name} URL-safe`);
  }
});

test('sizes: under 140 too short, over 1500 too long, 400–1500 GPG', () => {
  const keys = keysOfDeterministic(DETERMINISTIC[0]!);
  for (const [n, code] of [[0, 'SPA_TOO_SHORT'], [5, 'SPA_TOO_SHORT'], [139, 'SPA_TOO_SHORT'], [1501, 'SPA_TOO_LONG'], [65535, 'SPA_TOO_LONG'], [400, 'SPA_GPG'], [1500, 'SPA_GPG']] as const) {
    const r = decode('8'.repeat(n), keys);
    assert.ok(!r.ok && r.error.code === code, `${n}: ${r.ok ? 'ok' : r.error.code}`);
    const rb = decode(new Uint8Array(n).fill(0x38), keys);
    assert.ok(!rb.ok && rb.error.code === code, `${n} bytes`);
  }
});

test('random bytes, random base64 and random "Salted__" ciphertexts are refused with the predicted code', () => {
  const r = prng(0xbad5eed);
  const keySets: SpaKeys[] = [keysOfDeterministic(DETERMINISTIC[0]!), keysOfDeterministic(DETERMINISTIC[2]!), { encryption: r.bytes(32), mode: 'legacy' }];
  const codes = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const keys = keySets[Math.floor(i / 3) % keySets.length]!;
    const kind = i % 3;
    let bytes: Buffer;
    if (kind === 0) bytes = r.bytes(r.int(0, 1600));
    else if (kind === 1) bytes = Buffer.from(b64encode(r.bytes(r.int(90, 320))), 'latin1');
    else bytes = Buffer.from(b64encode(Buffer.concat([Buffer.from('Salted__'), r.bytes(8), r.bytes(16 * r.int(1, 15))])).slice(10), 'latin1');
    const text = bytes.toString('latin1');
    const code = expectRefused(text, keys, `random #${i}`);
    const again = decode(bytes, keys);
    assert.ok(!again.ok && again.error.code === code, 'the same bytes give the same code');
    codes.add(code);
  }
  for (const c of ['SPA_TOO_SHORT', 'SPA_TOO_LONG', 'SPA_NOT_BASE64', 'SPA_GPG', 'SPA_BAD_HMAC', 'SPA_DECRYPT_FAILED']) assert.ok(codes.has(c), c);
});

test('inputs of the wrong type are refused, not thrown', () => {
  const keys = keysOfDeterministic(DETERMINISTIC[0]!);
  const good = DETERMINISTIC[0]!.expected.wire_packet;
  for (const p of [null, undefined, 42, {}, [], ['a'], new ArrayBuffer(200), '\u00e9'.repeat(200), '\ud800'.repeat(200), Symbol.iterator]) {
    assert.ok(!decode(p, keys).ok, String(typeof p));
  }
  for (const k of [null, undefined, {}, { encryption: null }, { encryption: 'key' }, { encryption: Buffer.from('k'), hmac: 'h' }, 7]) {
    const out = decode(good, k);
    assert.ok(!out.ok && out.error.code === 'SPA_BAD_KEY', JSON.stringify(k));
  }
});

test('a no-HMAC packet has no second spelling: the unused bits of its last character must be zero', () => {
  // fwknop's b64_decode() ignores those bits, so fwknopd would take the twin as a new packet (new replay digest).
  const v = DETERMINISTIC[2]!; // D3, no HMAC, 161 chars: 171 with the prefix, so 2 unused bits
  const keys = keysOfDeterministic(v);
  const p = v.expected.wire_packet;
  const twin = p.slice(0, -1) + ALPHABET[ALPHABET.indexOf(p[p.length - 1]!) ^ 1];
  assert.deepEqual(Buffer.from(SALTED_PREFIX_B64 + twin, 'base64'), Buffer.from(SALTED_PREFIX_B64 + p, 'base64'));
  assert.ok(decode(p, keys).ok);
  const r = decode(twin, keys);
  assert.ok(!r.ok && r.error.code === 'SPA_NOT_BASE64');
});
