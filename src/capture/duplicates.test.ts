import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentFrames } from './duplicates.js';

const frame = (...bytes: number[]) => Uint8Array.from(bytes);

test('a copy of the same packet within the window is a duplicate; later or different ones are not', () => {
  const r = new RecentFrames(20);
  const a = frame(0xff, 0xff, 1, 2, 3, 4);
  assert.equal(r.isDuplicate(a, 2, a.length, 1000), false);
  assert.equal(r.isDuplicate(a, 2, a.length, 1000.01), true);
  assert.equal(r.isDuplicate(frame(9, 9, 1, 2, 3, 4), 2, 6, 1000.02), true, 'link header differences do not matter');
  assert.equal(r.isDuplicate(frame(1, 2, 3, 5), 0, 4, 1000.03), false);
  assert.equal(r.isDuplicate(a, 2, a.length, 1300), false, 'a retransmission 300 ms later is a new packet');
});

test('a burst of distinct packets never reads as duplicates', () => {
  const r = new RecentFrames(20);
  for (let i = 0; i < 1000; i++) {
    assert.equal(r.isDuplicate(frame(i & 255, i >> 8, 7, 7), 0, 4, 5000), false);
  }
});
