import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SourceTable } from './source-table.js';

const slotsOf = (t: SourceTable, g: number) => [...t.slots(g)].map((s) => t.source(s));

describe('SourceTable', () => {
  it('finds what was added, per group, and keeps each group in insertion order', () => {
    const t = new SourceTable(8, 2);
    const a = t.add('192.0.2.1', 0);
    t.add('192.0.2.2', 0);
    const b = t.add('192.0.2.1', 1);
    assert.notEqual(a, b);
    assert.equal(t.find('192.0.2.1', 0), a);
    assert.equal(t.find('192.0.2.1', 1), b);
    assert.equal(t.find('192.0.2.3', 0), -1);
    assert.deepEqual(slotsOf(t, 0), ['192.0.2.1', '192.0.2.2']);
    assert.deepEqual(slotsOf(t, 1), ['192.0.2.1']);
    assert.equal(t.size, 3);
  });

  it('removes from the front, middle and back of a group', () => {
    const t = new SourceTable(8, 1);
    const s = ['a', 'b', 'c', 'd'].map((x) => t.add(x, 0));
    t.remove(s[1]!);
    assert.deepEqual(slotsOf(t, 0), ['a', 'c', 'd']);
    t.remove(s[0]!);
    assert.equal(t.source(t.oldest(0)), 'c');
    t.remove(s[3]!);
    t.add('e', 0);
    assert.deepEqual(slotsOf(t, 0), ['c', 'e']);
    assert.equal(t.find('a', 0), -1);
    assert.equal(t.find('e', 0) >= 0, true);
  });

  it('is bounded: full at capacity, a removal makes room', () => {
    const t = new SourceTable(3, 1);
    for (const x of ['a', 'b', 'c']) t.add(x, 0);
    assert.equal(t.full, true);
    assert.throws(() => t.add('d', 0), RangeError);
    t.remove(t.oldest(0));
    t.add('d', 0);
    assert.deepEqual(slotsOf(t, 0), ['b', 'c', 'd']);
  });

  it('matches a Map model under long random churn (backward-shift deletion keeps every key findable)', () => {
    for (const seed of [0, 1, 0xdeadbeef]) {
      // A tiny table makes collisions and wrapped probe runs the common case.
      const t = new SourceTable(12, 3, seed);
      const model = new Map<string, number>(); // "group/src" -> slot
      let r = 12345 + seed;
      const rnd = (n: number) => (r = (Math.imul(r, 1103515245) + 12345) >>> 0) % n;
      for (let i = 0; i < 20_000; i++) {
        const src = `10.0.0.${rnd(20)}`;
        const g = rnd(3);
        const key = `${g}/${src}`;
        const slot = t.find(src, g);
        assert.equal(slot, model.get(key) ?? -1, `step ${i}: ${key}`);
        if (slot >= 0) {
          t.remove(slot);
          model.delete(key);
        } else if (!t.full) {
          model.set(key, t.add(src, g));
        } else {
          const oldest = t.oldest(g);
          if (oldest >= 0) {
            model.delete(`${g}/${t.source(oldest)}`);
            t.remove(oldest);
          }
        }
        assert.equal(t.size, model.size);
      }
      for (const [key, slot] of model) {
        const [g, src] = key.split('/') as [string, string];
        assert.equal(t.find(src, Number(g)), slot);
      }
    }
  });

  it('different seeds place the same keys differently (the hash is keyed)', () => {
    const order = (seed: number) => {
      const t = new SourceTable(64, 1, seed);
      for (let i = 0; i < 40; i++) t.add(`198.51.100.${i}`, 0);
      return (t as unknown as { index: Int32Array }).index.join(',');
    };
    assert.notEqual(order(1), order(2));
  });
});
