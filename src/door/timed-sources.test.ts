import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TimedSources } from './timed-sources.js';

describe('TimedSources', () => {
  it('put replaces an older record and resets its count', () => {
    const t = new TimedSources(4);
    const s = t.put('a', 0, 100);
    t.bump(s);
    assert.equal(t.bump(s), 2);
    const s2 = t.put('a', 0, 200);
    assert.equal(t.time(s2), 200);
    assert.equal(t.bump(s2), 1);
    assert.equal(t.size, 1);
  });

  it('prune drops the oldest while their time is due', () => {
    const t = new TimedSources(8);
    for (const [src, at] of [['a', 10], ['b', 20], ['c', 30]] as const) t.put(src, 0, at);
    t.prune(0, 20);
    assert.equal(t.find('a'), -1);
    assert.equal(t.find('b'), -1);
    assert.ok(t.find('c') >= 0);
  });

  it('when full, evicts the oldest of the same group, else the soonest-timed head', () => {
    const t = new TimedSources(3, 2);
    t.put('a', 0, 50);
    t.put('b', 1, 10);
    t.put('c', 1, 20);
    t.put('d', 0, 60); // evicts a (group 0's oldest)
    assert.equal(t.find('a', 0), -1);
    assert.equal(t.evictions, 1);
    const u = new TimedSources(2, 2);
    u.put('x', 1, 30);
    u.put('y', 1, 40);
    u.put('z', 0, 99); // group 0 is empty: the soonest head of another group goes
    assert.equal(u.find('x', 1), -1);
    assert.ok(u.find('y', 1) >= 0 && u.find('z', 0) >= 0);
  });

  it('remapped moves groups, drops unmapped ones and keeps the newest when smaller', () => {
    const t = new TimedSources(8, 2);
    t.put('a', 0, 1);
    const b = t.put('b', 1, 2);
    t.bump(b);
    t.put('c', 1, 3);
    const m = t.remapped(1, 3, [-1, 2]);
    assert.equal(m.size, 1);
    assert.ok(m.find('c', 2) >= 0);
    const all = t.remapped(8, 3, [-1, 2]);
    assert.equal(all.bump(all.find('b', 2)), 2);
    assert.equal(all.find('a', 0), -1);
  });
});
