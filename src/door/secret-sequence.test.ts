import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SecretSequence } from '../config/model.js';
import { deriveSequence, sequenceMessage, windowIndex, windowStartMs } from './secret-sequence.js';

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i); // AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
const T = 1_700_000_000_000; // 2023-11-14T22:13:20Z

function spec(over: Partial<SecretSequence> = {}): SecretSequence {
  return { secret: SECRET, length: 3, windowSeconds: 30, ports: { from: 1024, to: 32767 }, proto: 'tcp', ...over };
}

// Vectors computed independently (Python hmac/struct, the layout in DESIGN.md), so a client in
// another language can check itself against them.
test('derivation vectors at a fixed time', () => {
  const w = windowIndex(T, 30);
  assert.equal(w, 56_666_666);
  assert.deepEqual(deriveSequence(spec(), 'ssh', w), [28496, 17491, 8687]);
  assert.deepEqual(deriveSequence(spec(), 'ssh', w + 1), [25836, 11380, 23495]);
  assert.deepEqual(deriveSequence(spec({ proto: 'udp' }), 'ssh', w), [2866, 17597, 8054]);
  assert.deepEqual(deriveSequence(spec(), 'other', w), [16103, 12692, 14068]);
  assert.deepEqual(deriveSequence(spec({ windowSeconds: 5, length: 4, ports: { from: 1024, to: 65535 } }), 'ssh', windowIndex(T, 5)),
    [31808, 43566, 45738, 22372]);
  // 16 of 16: a permutation of the range, which needs more than one HMAC block.
  assert.deepEqual(deriveSequence(spec({ windowSeconds: 60, length: 16, ports: { from: 40000, to: 40015 } }), 'ssh', windowIndex(T, 60)),
    [40010, 40012, 40011, 40005, 40013, 40014, 40008, 40004, 40001, 40002, 40009, 40000, 40003, 40006, 40015, 40007]);
});

test('the message is length-prefixed and carries every parameter', () => {
  const m = sequenceMessage(spec(), 'ssh', 0x0102030405, 7);
  assert.equal(m.toString('hex'),
    Buffer.from('portcullis-sequence-v1\0').toString('hex')
    + '0003' + Buffer.from('ssh').toString('hex') + '0000000102030405' + '0000001e' + '06' + '0400' + '7fff' + '03' + '00000007');
  // Every parameter changes the sequence.
  const base = deriveSequence(spec(), 'ssh', 100);
  for (const other of [spec({ secret: SECRET.map((b) => b ^ 1) }), spec({ windowSeconds: 31 }), spec({ length: 4 }), spec({ ports: { from: 1024, to: 32766 } })]) {
    assert.notDeepEqual(deriveSequence(other, 'ssh', 100).slice(0, 3), base);
  }
  assert.notDeepEqual(deriveSequence(spec(), 'ssh', 101), base);
});

test('ports are distinct and inside the range, over many windows', () => {
  for (const s of [spec(), spec({ length: 8, ports: { from: 7000, to: 7011 } }), spec({ length: 2, ports: { from: 65534, to: 65535 } })]) {
    for (let w = 0; w < 2000; w++) {
      const ports = deriveSequence(s, 'd', w);
      assert.equal(ports.length, s.length);
      assert.equal(new Set(ports).size, ports.length, `window ${w}: ${ports}`);
      for (const p of ports) assert.ok(p >= s.ports.from && p <= s.ports.to, `${p}`);
    }
  }
});

test('no modulo bias: every port of an awkward range is about equally likely', () => {
  // 65536 mod 24000 = 17536: a plain `v % n` would make ports 0-17535 of the range 1.5× as likely
  // as the rest. Count first ports by thirds of the range over many windows.
  const s = spec({ length: 2, ports: { from: 1, to: 24000 } });
  const buckets = [0, 0, 0];
  const N = 30_000;
  for (let w = 0; w < N; w++) buckets[Math.floor((deriveSequence(s, 'bias', w)[0]! - 1) / 8000)]!++;
  // Expected N/3 = 10000 each (σ ≈ 82); with modulo bias the first third would get ~12,500.
  for (const b of buckets) assert.ok(Math.abs(b - N / 3) < 500, `${buckets}`);
});

test('window transitions: the index changes exactly at multiples of the window', () => {
  const start = windowStartMs(56_666_667, 30);
  assert.equal(windowIndex(start - 1, 30), 56_666_666);
  assert.equal(windowIndex(start, 30), 56_666_667);
  assert.equal(windowIndex(start + 29_999, 30), 56_666_667);
  assert.equal(windowIndex(start + 30_000, 30), 56_666_668);
});

test('a range too small for distinct ports is refused', () => {
  assert.throws(() => deriveSequence(spec({ length: 3, ports: { from: 10, to: 11 } }), 'd', 1), RangeError);
});
