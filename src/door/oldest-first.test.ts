import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OldestFirstMap } from './oldest-first.js';

describe('OldestFirstMap', () => {
  it('keeps insertion order; set on an existing key keeps its place', () => {
    const m = new OldestFirstMap<string, number>();
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    m.set('a', 10);
    assert.deepEqual([...m.values()], [10, 2, 3]);
    assert.equal(m.oldest()?.key, 'a');
    assert.equal(m.size, 3);
  });

  it('deletes from the front, middle and back', () => {
    const m = new OldestFirstMap<string, number>();
    for (const [k, v] of [['a', 1], ['b', 2], ['c', 3], ['d', 4]] as const) m.set(k, v);
    assert.equal(m.delete('b'), true);
    assert.equal(m.delete('b'), false);
    assert.deepEqual([...m.values()], [1, 3, 4]);
    assert.equal(m.delete('a'), true);
    assert.equal(m.oldest()?.key, 'c');
    assert.equal(m.delete('d'), true);
    m.set('e', 5);
    assert.deepEqual([...m.values()], [3, 5]);
    assert.equal(m.get('e'), 5);
    assert.equal(m.has('a'), false);
  });

  it('shift takes the oldest until empty', () => {
    const m = new OldestFirstMap<number, number>();
    for (let i = 0; i < 5; i++) m.set(i, i * i);
    const out: number[] = [];
    for (let e = m.shift(); e !== undefined; e = m.shift()) out.push(e.key);
    assert.deepEqual(out, [0, 1, 2, 3, 4]);
    assert.equal(m.size, 0);
    assert.equal(m.oldest(), undefined);
    m.set(9, 81);
    assert.deepEqual([...m.values()], [81]);
  });

  it('deleting the entry just visited while iterating is safe', () => {
    const m = new OldestFirstMap<number, number>();
    for (let i = 0; i < 6; i++) m.set(i, i);
    const seen: number[] = [];
    for (const v of m.values()) {
      seen.push(v);
      if (v % 2 === 0) m.delete(v);
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...m.values()], [1, 3, 5]);
  });

  it('matches a Map under random churn', () => {
    const m = new OldestFirstMap<number, number>();
    const ref = new Map<number, number>();
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 64;
    for (let i = 0; i < 5000; i++) {
      const k = rnd();
      if (i % 3 === 0) {
        assert.equal(m.delete(k), ref.delete(k));
      } else if (i % 7 === 0) {
        const a = m.shift();
        const first = ref.keys().next();
        assert.equal(a?.key, first.done ? undefined : first.value);
        if (!first.done) ref.delete(first.value);
      } else {
        m.set(k, i);
        ref.set(k, i);
      }
      assert.equal(m.size, ref.size);
    }
    assert.deepEqual([...m.values()], [...ref.values()]);
  });
});
