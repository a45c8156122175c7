import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore } from './atomic-file.js';
import { CoalescedWriter } from './coalesced-writer.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('changes in one tick make one write, at the end of the tick, before the queued work', async () => {
  const store = new MemoryFileStore();
  let value = 'a';
  const order: string[] = [];
  const writer = new CoalescedWriter(store, '/f', new MemoryLogger(), () => value);
  writer.markDirty(() => order.push(`then saw ${store.read('/f')}`));
  value = 'b';
  writer.markDirty();
  assert.equal(writer.pending, true);
  assert.equal(store.writes, 0);
  await settle();
  assert.equal(store.writes, 1);
  assert.equal(store.read('/f'), 'b');
  assert.deepEqual(order, ['then saw b']);
  assert.equal(writer.pending, false);
});

test('an unchanged text is not written again', async () => {
  const store = new MemoryFileStore();
  const writer = new CoalescedWriter(store, '/f', new MemoryLogger(), () => 'same');
  writer.assumeWritten('same');
  writer.markDirty();
  await settle();
  assert.equal(store.writes, 0);
});

test('failures are logged once per run of failures and queued work still runs', async () => {
  const store = new MemoryFileStore();
  const log = new MemoryLogger();
  let n = 0;
  const writer = new CoalescedWriter(store, '/f', log, () => String(n++), 'grants');
  store.failWrites = true;
  let ran = 0;
  writer.markDirty(() => ran++);
  await settle();
  writer.markDirty(() => ran++);
  await settle();
  assert.equal(ran, 2);
  assert.deepEqual(log.messages('error'), ['cannot save grants to /f: ENOSPC: no space left on device, write \'/f\'']);
  store.failWrites = false;
  writer.markDirty();
  await settle();
  store.failWrites = true;
  writer.markDirty();
  await settle();
  assert.equal(log.messages('error').length, 2, 'a new run of failures is reported again');
});

test('writes off the event loop: changes during a write go into the next one, and settled() waits for the disk', async () => {
  const store = new MemoryFileStore();
  const written: string[] = [];
  // A write that completes on a later turn of the event loop, like fs on the thread pool.
  store.writeAtomicAsync = (path: string, data: string) => new Promise((resolve) => setTimeout(() => { store.writeAtomic(path, data); written.push(data); resolve(); }, 5));
  let value = 'a';
  const w = new CoalescedWriter(store, '/s', new MemoryLogger(), () => value);
  w.markDirty();
  await new Promise((r) => setImmediate(r));
  assert.equal(w.pending, true, 'the first write is in flight');
  value = 'b';
  w.markDirty();
  value = 'c';
  w.markDirty();
  await w.settled();
  assert.equal(w.pending, false);
  assert.deepEqual(written, ['a', 'c'], 'one more write, with every change made meanwhile');
  assert.equal(store.read('/s'), 'c');
});
