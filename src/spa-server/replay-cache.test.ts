import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore, NodeFileStore } from '../state/atomic-file.js';
import { ReplayCache, ReplayStore, parseReplay, serializeReplay } from './replay-cache.js';

const AGE = 120_000;
const T = 1_700_000_000_000;
const PATH = '/state/spa-replay.json';

/** A 43-character digest, distinct per n. */
function digest(n: number): string {
  return Buffer.alloc(32, 0).fill(n % 256, 0, 1).fill(Math.floor(n / 256) % 256, 1, 2).toString('base64').replace(/=+$/, '');
}

test('has after add; the same digest twice is one entry', () => {
  const c = new ReplayCache(8);
  assert.equal(c.has(digest(1)), false);
  assert.equal(c.add(digest(1), T, T, AGE), true);
  assert.equal(c.add(digest(1), T + 5, T, AGE), false);
  assert.equal(c.has(digest(1)), true);
  assert.equal(c.size, 1);
});

test('entries expire max_spa_packet_age after their packet could last pass the age check: seen or stamped, whichever is later', () => {
  const c = new ReplayCache(8);
  c.add(digest(1), T, T - 60_000, AGE); // stamped in the past: needed until seen + age
  c.add(digest(2), T, T + 100_000, AGE); // stamped in the future: needed until its stamp + age
  c.prune(T + AGE, AGE);
  assert.deepEqual([c.has(digest(1)), c.has(digest(2))], [true, true], 'exactly at the limit a replay would still pass the age check');
  c.prune(T + AGE + 1, AGE);
  assert.deepEqual([c.has(digest(1)), c.has(digest(2))], [false, true]);
  c.prune(T + 100_000 + AGE, AGE);
  assert.equal(c.has(digest(2)), true);
  c.prune(T + 100_000 + AGE + 1, AGE);
  assert.equal(c.has(digest(2)), false);
  assert.equal(c.size, 0);
});

test('bounded: a full cache drops the oldest entry first and counts it when it was still live', () => {
  const c = new ReplayCache(4);
  for (let i = 0; i < 4; i++) c.add(digest(i), T + i, T + i, AGE);
  c.add(digest(4), T + 4, T + 4, AGE);
  assert.equal(c.size, 4);
  assert.equal(c.has(digest(0)), false, 'the oldest went');
  assert.deepEqual([1, 2, 3, 4].map((i) => c.has(digest(i))), [true, true, true, true]);
  assert.equal(c.evictedLive, 1);
  // Adding prunes first: expired entries make room without counting as live evictions.
  c.add(digest(5), T + AGE + 10, T + AGE + 10, AGE);
  assert.equal(c.size, 1);
  assert.equal(c.evictedLive, 1);
  assert.deepEqual([...c.entries()].map(([d]) => d), [digest(5)]);
});

test('many packets: each costs O(1); the ring wraps around cleanly', () => {
  const c = new ReplayCache(1000);
  const started = process.hrtime.bigint();
  for (let i = 0; i < 200_000; i++) c.add(`${i}`.padStart(43, 'A'), T + i, T + i, 50);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(c.size <= 1000);
  assert.equal(c.has(`${199_999}`.padStart(43, 'A')), true);
  assert.equal(c.has(`${100}`.padStart(43, 'A')), false);
  assert.ok(ms < 2000, `200,000 adds took ${ms} ms`);
  const order = [...c.entries()].map(([, s]) => s);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'oldest first after wrapping');
});

test('the file round trip keeps every entry, oldest first; bad rows are skipped, a bad file throws', () => {
  const c = new ReplayCache(8);
  c.add(digest(1), T, T - 1000, AGE);
  c.add(digest(2), T + 1, T + 2000, AGE);
  const parsed = parseReplay(serializeReplay(c));
  assert.deepEqual(parsed.entries, [[digest(1), T, T - 1000], [digest(2), T + 1, T + 2000]]);
  assert.equal(parsed.rejected, 0);
  const mixed = parseReplay(JSON.stringify({ version: 1, entries: [[digest(1), T, T], ['short', T, T], [digest(2), 'x', T], 7] }));
  assert.equal(mixed.entries.length, 1);
  assert.equal(mixed.rejected, 3);
  assert.throws(() => parseReplay('{'));
  assert.throws(() => parseReplay('{"version":2,"entries":[]}'), /not a version 1/);
  assert.throws(() => parseReplay('[]'), /not a version 1/);
});

test('ReplayStore: written after a change, loaded again by the next start (a restart keeps the window shut)', async () => {
  const store = new MemoryFileStore();
  const log = new MemoryLogger();
  const a = new ReplayStore({ store, path: PATH, log });
  a.load(T, AGE);
  let onDisk = false;
  a.add(digest(1), T, T, AGE);
  a.afterWrite(() => { onDisk = store.read(PATH)?.includes(digest(1)) ?? false; });
  await a.settled();
  assert.equal(onDisk, true, 'afterWrite runs once the digest is in the file');
  assert.equal(store.modes.get(PATH), 0o600);
  assert.equal(parseReplay(store.read(PATH)!).running, true, 'marked running while the daemon runs');
  await a.close();
  assert.equal(parseReplay(store.read(PATH)!).running, false, 'a clean stop clears the mark');

  const b = new ReplayStore({ store, path: PATH, log });
  b.load(T + 10_000, AGE);
  assert.equal(b.has(digest(1)), true);
  assert.equal(b.notBefore, undefined);
  // A start long after: the entry could not pass the age check any more, so it is dropped (and the file rewritten).
  const c = new ReplayStore({ store, path: PATH, log });
  c.load(T + AGE + 1, AGE);
  assert.equal(c.has(digest(1)), false);
  await c.settled();
  assert.deepEqual(parseReplay(store.read(PATH)!).entries, []);
});

test('ReplayStore: after a crash (file still marked running) packets stamped before the start are refused; the digests are kept', () => {
  const store = new MemoryFileStore();
  const log = new MemoryLogger();
  const a = new ReplayStore({ store, path: PATH, log });
  a.load(T, AGE);
  assert.equal(parseReplay(store.read(PATH)!).running, true, 'the mark is on disk before any packet is accepted');
  a.add(digest(1), T, T, AGE);
  // No close(): the daemon died; its last digest may or may not have reached the disk.
  const b = new ReplayStore({ store, path: PATH, log });
  b.load(T + 5_000, AGE);
  assert.equal(b.notBefore, T + 5_000);
  assert.ok(log.has('did not stop cleanly'));
});

test('ReplayStore: a corrupt or unreadable file is logged, and packets stamped before the start are refused (notBefore)', async () => {
  const store = new MemoryFileStore();
  const log = new MemoryLogger();
  store.files.set(PATH, '{"version":1,"entr');
  const s = new ReplayStore({ store, path: PATH, log });
  s.load(T, AGE);
  assert.equal(s.notBefore, T);
  assert.ok(log.has(/spa-replay\.json is unusable .*SPA packets stamped before now are refused for the next 120 s/), log.messages().join('\n'));
  await s.settled();
  assert.deepEqual(parseReplay(store.read(PATH)!).entries, [], 'replaced by a good (empty) file');

  const broken = { read: () => { throw new Error('EACCES'); }, writeAtomic() {}, async writeAtomicAsync() {}, remove() {} };
  const u = new ReplayStore({ store: broken, path: PATH, log });
  u.load(T, AGE);
  assert.equal(u.notBefore, T);
  assert.ok(log.has(/cannot read \/state\/spa-replay\.json: EACCES/));

  const fresh = new ReplayStore({ store: new MemoryFileStore(), path: PATH, log });
  fresh.load(T, AGE);
  assert.equal(fresh.notBefore, undefined, 'no file yet (first start) is not a problem');
});

test('ReplayStore on disk: atomic file, mode 0600, survives a new instance', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spa-replay-'));
  try {
    const path = join(dir, 'spa-replay.json');
    const a = new ReplayStore({ store: new NodeFileStore(), path, log: new MemoryLogger() });
    a.load(T, AGE);
    a.add(digest(7), T, T, AGE);
    await a.settled();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(readFileSync(path, 'utf8'), new RegExp(digest(7).replace(/[+/]/g, '\\$&')));
    const b = new ReplayStore({ store: new NodeFileStore(), path, log: new MemoryLogger() });
    b.load(T + 1, AGE);
    assert.equal(b.has(digest(7)), true);
    writeFileSync(path, 'garbage');
    const c = new ReplayStore({ store: new NodeFileStore(), path, log: new MemoryLogger() });
    c.load(T + 2, AGE);
    assert.equal(c.notBefore, T + 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
