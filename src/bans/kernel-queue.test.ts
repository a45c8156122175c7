import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KernelBanQueue, MAX_PENDING, isBanStore, type BanStore } from './kernel-queue.js';

class RecordingStore implements BanStore {
  readonly calls: { add: { address: string; seconds: number }[]; remove: readonly string[] | 'all' }[] = [];
  fail = false;
  gate: Promise<void> = Promise.resolve();
  async applyBans(add: readonly { address: string; seconds: number }[], remove: readonly string[] | 'all'): Promise<void> {
    this.calls.push({ add: [...add], remove });
    await this.gate;
    if (this.fail) throw new Error('nft said no');
  }
  async listBans() { return []; }
}

function queue(store = new RecordingStore()) {
  let now = 1_000_000;
  const errors: string[] = [];
  const q = new KernelBanQueue({ store, now: () => now, onError: (m) => errors.push(m) });
  return { q, store, errors, tick: (ms: number) => { now += ms; } };
}

describe('KernelBanQueue', () => {
  it('bans of one tick go in one transaction, later ones wait for it and are merged', async () => {
    const { q, store } = queue();
    let release!: () => void;
    store.gate = new Promise((r) => { release = r; });
    q.add('192.0.2.1', 300);
    q.add('192.0.2.2', 300);
    await new Promise((r) => setImmediate(r));
    q.add('192.0.2.3', 300);
    q.remove('192.0.2.4');
    q.add('192.0.2.4', 60); // the last request for an address wins
    q.add('192.0.2.5', 60);
    q.remove('192.0.2.5');
    release();
    await q.idle();
    assert.deepEqual(store.calls, [
      { add: [{ address: '192.0.2.1', seconds: 300 }, { address: '192.0.2.2', seconds: 300 }], remove: [] },
      { add: [{ address: '192.0.2.3', seconds: 300 }, { address: '192.0.2.4', seconds: 60 }], remove: ['192.0.2.5'] },
    ]);
  });

  it('the timeout sent is what is left when the transaction goes out', async () => {
    const { q, store, tick } = queue();
    let release!: () => void;
    store.gate = new Promise((r) => { release = r; });
    q.add('192.0.2.1', 10);
    await new Promise((r) => setImmediate(r));
    q.add('192.0.2.2', 300);
    tick(4_000);
    release();
    await q.idle();
    assert.deepEqual(store.calls[1]!.add, [{ address: '192.0.2.2', seconds: 296 }]);
  });

  it('--all drops what was queued before it', async () => {
    const { q, store } = queue();
    q.add('192.0.2.1', 300);
    q.remove(undefined);
    q.add('192.0.2.2', 300);
    await q.idle();
    assert.deepEqual(store.calls, [{ add: [{ address: '192.0.2.2', seconds: 300 }], remove: 'all' }]);
  });

  it('bounded: past MAX_PENDING waiting bans, further ones are dropped and said once', async () => {
    const { q, store, errors } = queue();
    let release!: () => void;
    store.gate = new Promise((r) => { release = r; });
    q.add('192.0.2.1', 300);
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < MAX_PENDING + 100; i++) q.add(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 300);
    assert.equal(q.dropped, 100);
    assert.equal(errors.length, 1);
    release();
    await q.idle();
    assert.equal(store.calls[1]!.add.length, MAX_PENDING);
  });

  it('a refused transaction is reported, and the queue goes on', async () => {
    const { q, store, errors } = queue();
    store.fail = true;
    q.add('192.0.2.1', 300);
    await q.idle();
    assert.equal(q.failures, 1);
    assert.match(errors[0]!, /nft said no/);
    store.fail = false;
    q.add('192.0.2.2', 300);
    await q.idle();
    assert.equal(store.calls.length, 2);
  });

  it('isBanStore tells a backend that keeps bans', () => {
    assert.equal(isBanStore(new RecordingStore()), true);
    assert.equal(isBanStore({ open() {} }), false);
    assert.equal(isBanStore(undefined), false);
  });
});
