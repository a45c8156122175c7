import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COPY_WINDOW_MS, RecentAccepts } from './recent-accepts.js';

test('a second copy from the same source soon after is a copy; another source or a later one is not', () => {
  const r = new RecentAccepts();
  r.add('d1', '10.0.0.2', 1000);
  assert.equal(r.isCopy('d1', '10.0.0.2', 1040), true);
  assert.equal(r.isCopy('d1', '10.0.0.3', 1040), false, 'the same packet from another address is a replay');
  assert.equal(r.isCopy('d2', '10.0.0.2', 1040), false);
  assert.equal(r.isCopy('d1', '10.0.0.2', 1000 + COPY_WINDOW_MS + 1), false, 'too late for a copy');
});

test('the table is bounded: old entries are overwritten', () => {
  const r = new RecentAccepts();
  r.add('first', '10.0.0.2', 0);
  for (let i = 0; i < 32; i++) r.add(`d${i}`, '10.0.0.9', 1);
  assert.equal(r.isCopy('first', '10.0.0.2', 2), false);
  assert.equal(r.isCopy('d31', '10.0.0.9', 2), true);
});
