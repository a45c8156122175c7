import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedSummary, type SummaryCounts } from './rate-limit.js';

const banned = (c: SummaryCounts): string =>
  `ignored ${c.events} packets from ${c.keys}${c.keysCapped ? '+' : ''} banned sources in the last ${c.seconds} s`;

test('nothing noted, nothing said', () => {
  const s = new RateLimitedSummary({ describe: banned });
  assert.deepEqual(s.flush(0), []);
});

test('the first event is reported at once, later ones at most once per interval', () => {
  const s = new RateLimitedSummary({ describe: banned, intervalMs: 10_000 });
  s.note('10.0.0.1', 1000);
  assert.deepEqual(s.flush(1000), ['ignored 1 packets from 1 banned sources in the last 1 s']);
  for (let i = 0; i < 1234; i++) s.note(`10.0.${i % 56}.1`, 2000 + i);
  assert.deepEqual(s.flush(5000), []);
  assert.deepEqual(s.flush(10_999), []);
  assert.deepEqual(s.flush(11_000), ['ignored 1234 packets from 56 banned sources in the last 9 s']);
  assert.deepEqual(s.flush(30_000), [], 'counts were reset');
});

test('the top keys are passed to describe, most first', () => {
  let seen: SummaryCounts | undefined;
  const s = new RateLimitedSummary({ describe: (c) => { seen = c; return ''; } });
  for (const [key, n] of [['a', 1], ['b', 5], ['c', 3], ['d', 2]] as const) for (let i = 0; i < n; i++) s.note(key, 0);
  s.flush(0);
  assert.deepEqual(seen!.top, [['b', 5], ['c', 3], ['d', 2]]);
});

test('distinct keys are capped; the events beyond the cap are still counted', () => {
  const s = new RateLimitedSummary({ describe: banned, maxKeys: 10 });
  for (let i = 0; i < 100; i++) s.note(`k${i}`, 0);
  assert.deepEqual(s.flush(0), ['ignored 100 packets from 10+ banned sources in the last 1 s']);
});
