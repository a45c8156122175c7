// The HMAC and digest compares are crypto.timingSafeEqual, and a packet with
// a wrong HMAC never reaches the cipher (fwknop.md §1.6: HMAC before decrypt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { decodeSpa } from './codec.js';
import { constantTimeEqual } from './hmac.js';
import { DETERMINISTIC } from './testdata/vectors.js';
import { keysOfDeterministic } from './testdata/helpers.js';

const V = DETERMINISTIC[0]!;
const KEYS = keysOfDeterministic(V);
const PACKET = V.expected.wire_packet;

test('constantTimeEqual is crypto.timingSafeEqual on equal-length buffers', (t) => {
  const spy = t.mock.method(crypto, 'timingSafeEqual');
  assert.equal(constantTimeEqual('abc', 'abc'), true);
  assert.equal(constantTimeEqual('abc', 'abd'), false);
  assert.equal(spy.mock.callCount(), 2);
  const [a, b] = spy.mock.calls[1]!.arguments as [Buffer, Buffer];
  assert.deepEqual([a.toString(), b.toString()], ['abc', 'abd']);
  assert.equal(constantTimeEqual('abc', 'abcd'), false, 'different lengths are unequal');
  assert.equal(constantTimeEqual('', ''), true);
});

test('a wrong HMAC is found with timingSafeEqual and no decryption is attempted', (t) => {
  const safe = t.mock.method(crypto, 'timingSafeEqual');
  const decipher = t.mock.method(crypto, 'createDecipheriv');
  const last = PACKET[PACKET.length - 1] === 'A' ? 'B' : 'A';
  const r = decodeSpa(PACKET.slice(0, -1) + last, KEYS);
  assert.ok(!r.ok && r.error.code === 'SPA_BAD_HMAC');
  assert.equal(safe.mock.callCount(), 1);
  const [a, b] = safe.mock.calls[0]!.arguments as [Buffer, Buffer];
  assert.equal(a.length, 43);
  assert.equal(b.length, 43);
  assert.equal(decipher.mock.callCount(), 0, 'HMAC is checked before any decryption');
});

test('a valid packet: HMAC compare, then one decryption, then the digest compare', (t) => {
  const safe = t.mock.method(crypto, 'timingSafeEqual');
  const decipher = t.mock.method(crypto, 'createDecipheriv');
  assert.ok(decodeSpa(PACKET, KEYS).ok);
  assert.equal(safe.mock.callCount(), 2, 'HMAC and inner digest');
  assert.equal(decipher.mock.callCount(), 1);
});
