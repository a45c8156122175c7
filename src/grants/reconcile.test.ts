import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile } from './reconcile.js';
import type { GrantRecord } from './record.js';

const NOW = 1_700_000_000_000;
const g = (address: string, expiresAt: number, door = 'ssh'): GrantRecord =>
  ({ door, address, family: 4, services: [{ proto: 'tcp', port: 22 }], forwards: [], expiresAt });

test('a valid grant whose entry is there with the same expiry is kept as is', () => {
  const plan = reconcile([g('192.0.2.1', NOW + 5000)], [{ address: '192.0.2.1', family: 4, service: { proto: 'tcp', port: 22 }, expiresAt: NOW + 4800 }], NOW);
  assert.equal(plan.keep.length, 1);
  assert.deepEqual(plan.open, []);
  assert.deepEqual(plan.close, []);
});

test('a valid grant whose entry is missing, or has no known expiry, is re-installed', () => {
  const plan = reconcile([g('192.0.2.1', NOW + 5000), g('192.0.2.2', NOW + 5000)],
    [{ address: '192.0.2.2', family: 4, service: { proto: 'tcp', port: 22 } }], NOW);
  assert.deepEqual(plan.open.map((e) => e.address).sort(), ['192.0.2.1', '192.0.2.2']);
});

test('expired grants and unexplained entries are closed', () => {
  const plan = reconcile([g('192.0.2.1', NOW)], [
    { address: '192.0.2.1', family: 4, service: { proto: 'tcp', port: 22 }, expiresAt: NOW + 1000 },
    { address: '192.0.2.3', family: 4, service: { proto: 'udp', port: 53 } },
  ], NOW);
  assert.equal(plan.expired.length, 1);
  assert.deepEqual(plan.close.map((e) => e.address), ['192.0.2.1', '192.0.2.3']);
});

test('two doors opening the same port for one address: the later expiry wins, one entry', () => {
  const plan = reconcile([g('192.0.2.1', NOW + 1000, 'a'), g('192.0.2.1', NOW + 9000, 'b')], [], NOW);
  assert.equal(plan.keep.length, 2);
  assert.deepEqual(plan.open.map((e) => e.expiresAt), [NOW + 9000]);
});

test('duplicate records of one grant keep the later one', () => {
  const plan = reconcile([g('192.0.2.1', NOW + 1000), g('192.0.2.1', NOW + 9000)], [], NOW);
  assert.deepEqual(plan.keep.map((x) => x.expiresAt), [NOW + 9000]);
});
