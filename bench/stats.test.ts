import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, ratio, summarize } from './stats.js';

test('nearest-rank percentiles pick measured values', () => {
  const v = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
  assert.equal(percentile(v, 50), 5);
  assert.equal(percentile(v, 90), 9);
  assert.equal(percentile(v, 100), 10);
  assert.equal(percentile(v, 0), 1);
  assert.equal(percentile([42], 90), 42);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('summarize reports n, p50, p90, max and mean', () => {
  assert.deepEqual(summarize([3, 1, 2]), { n: 3, p50: 2, p90: 3, max: 3, mean: 2 });
  const empty = summarize([]);
  assert.equal(empty.n, 0);
  assert.ok(Number.isNaN(empty.p50) && Number.isNaN(empty.max));
});

test('ratio is NaN when it cannot be computed', () => {
  assert.equal(ratio(1, 4), 0.25);
  assert.ok(Number.isNaN(ratio(1, 0)));
  assert.ok(Number.isNaN(ratio(undefined, 2)));
  assert.ok(Number.isNaN(ratio(NaN, 2)));
});
