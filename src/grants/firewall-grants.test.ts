import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend, MemoryFirewall } from '../firewall/memory.js';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { ManualClock } from '../util/clock.js';
import { door } from '../door/testing.js';
import type { Entry, Layout } from '../firewall/backend.js';
import { FirewallGrants } from './firewall-grants.js';
import { parseGrantState, serializeGrantState } from './state-file.js';

const STATE = '/state/firewall-grants.json';
const ssh = door('ssh', '7000,8000', { open: [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }], openTimeoutMs: 30_000 });
const closer = door('close', '9000', { revokes: ['ssh'] });
const A = '192.0.2.7';
const B = '192.0.2.8';

function setup(o: { kernelExpiry?: boolean; closeOnExit?: boolean; store?: MemoryFileStore; firewall?: MemoryFirewall; clock?: ManualClock } = {}) {
  const clock = o.clock ?? new ManualClock();
  const store = o.store ?? new MemoryFileStore();
  const firewall = o.firewall ?? new MemoryFirewall();
  const backend = new MemoryBackend(firewall, o.kernelExpiry ?? true);
  const log = new MemoryLogger(clock);
  const grants = new FirewallGrants({ backend, clock, store, statePath: STATE, log, closeOnExit: o.closeOnExit ?? true });
  const settle = async () => { for (let i = 0; i < 5; i++) { await grants.idle(); await new Promise((r) => setImmediate(r)); } };
  const recorded = () => (store.read(STATE) ? parseGrantState(store.read(STATE)!).grants : []);
  return { clock, store, firewall, backend, log, grants, settle, recorded };
}

test('a knock opens every port of the door for that address, recorded in the state file', async () => {
  const s = setup();
  await s.grants.restore([ssh]);
  s.grants.open(ssh, A, 4);
  await s.settle();
  assert.ok(s.backend.allows(A, 'tcp', 22, s.clock.now()));
  assert.ok(s.backend.allows(A, 'udp', 1194, s.clock.now()));
  assert.ok(!s.backend.allows(B, 'tcp', 22, s.clock.now()));
  assert.deepEqual(s.recorded().map((g) => [g.door, g.address, g.expiresAt - s.clock.now()]), [['ssh', A, 30_000]]);
  assert.deepEqual(s.firewall.layout?.protected, [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }] satisfies Layout['protected']);
});

test('the grant closes at its expiry and leaves the state file', async () => {
  const s = setup({ kernelExpiry: false });
  await s.grants.restore([ssh]);
  s.grants.open(ssh, A, 4);
  await s.settle();
  s.clock.advance(29_999);
  await s.settle();
  assert.ok(s.backend.allows(A, 'tcp', 22, s.clock.now()));
  s.clock.advance(1);
  await s.settle();
  assert.ok(!s.backend.allows(A, 'tcp', 22, s.clock.now()));
  assert.deepEqual(s.recorded(), []);
});

test('a repeat knock extends the grant; nothing is inserted twice', async () => {
  const s = setup({ kernelExpiry: false });
  await s.grants.restore([ssh]);
  s.grants.open(ssh, A, 4);
  await s.settle();
  s.clock.advance(20_000);
  s.grants.open(ssh, A, 4);
  await s.settle();
  assert.equal(s.firewall.entries.size, 2, 'tcp/22 and udp/1194 once each');
  assert.equal(s.grants.active().length, 1);
  s.clock.advance(29_000);
  await s.settle();
  assert.ok(s.backend.allows(A, 'tcp', 22, s.clock.now()), 'still open 49 s after the first knock');
  s.clock.advance(1_000);
  await s.settle();
  assert.ok(!s.backend.allows(A, 'tcp', 22, s.clock.now()));
  assert.ok(s.log.has('already open, extended'));
});

test('without kernel expiry the grant is on disk before the firewall opens', async () => {
  const s = setup({ kernelExpiry: false });
  await s.grants.restore([ssh]);
  const open = s.backend.open.bind(s.backend);
  let onDisk: boolean | undefined;
  s.backend.open = async (entries: readonly Entry[], now: number) => {
    onDisk = parseGrantState(s.store.read(STATE)!).grants.some((g) => g.address === A);
    return open(entries, now);
  };
  s.grants.open(ssh, A, 4);
  await s.settle();
  assert.equal(onDisk, true);
});

test('revokeDoor closes that door\'s grant for that address only', async () => {
  const s = setup();
  await s.grants.restore([ssh, closer]);
  s.grants.open(ssh, A, 4);
  s.grants.open(ssh, B, 4);
  await s.settle();
  assert.equal(s.grants.revokeDoor('ssh', A), true);
  assert.equal(s.grants.revokeDoor('ssh', A), false);
  await s.settle();
  assert.ok(!s.backend.allows(A, 'tcp', 22, s.clock.now()));
  assert.ok(s.backend.allows(B, 'tcp', 22, s.clock.now()));
  assert.deepEqual(s.recorded().map((g) => g.address), [B]);
});

test('revoke by address and revoke all', async () => {
  const s = setup();
  await s.grants.restore([ssh]);
  s.grants.open(ssh, A, 4);
  s.grants.open(ssh, B, 4);
  s.grants.open(ssh, '2001:db8::7', 6);
  await s.settle();
  assert.equal(s.grants.revoke(A), 1);
  assert.equal(s.grants.revoke(undefined), 2);
  await s.settle();
  assert.equal(s.firewall.entries.size, 0);
  assert.deepEqual(s.recorded(), []);
});

test('restore: valid grants restored, expired ones and strays removed, foreign entries never touched', async () => {
  const clock = new ManualClock();
  const store = new MemoryFileStore();
  const firewall = new MemoryFirewall();
  const now = clock.now();
  store.writeAtomic(STATE, serializeGrantState('nftables', [
    { door: 'ssh', address: A, family: 4, services: [{ proto: 'tcp', port: 22 }], forwards: [], expiresAt: now + 10_000 },
    { door: 'ssh', address: B, family: 4, services: [{ proto: 'tcp', port: 22 }], forwards: [], expiresAt: now - 1 },
  ]));
  // B's entry is still there (daemon-expiry backend), and a stray nobody recorded.
  firewall.entries.set(`${B} tcp/22`, { address: B, family: 4, service: { proto: 'tcp', port: 22 }, expiresAt: now + 999_000 });
  firewall.entries.set('192.0.2.9 tcp/22', { address: '192.0.2.9', family: 4, service: { proto: 'tcp', port: 22 }, expiresAt: now + 999_000 });
  const s = setup({ clock, store, firewall, kernelExpiry: false });
  await s.grants.restore([ssh]);
  await s.settle();
  assert.deepEqual([...firewall.entries.keys()].sort(), [`${A} tcp/22`]);
  assert.equal(firewall.entries.get(`${A} tcp/22`)!.expiresAt, now + 10_000, 'restored with its recorded expiry');
  assert.ok(s.log.has('1 grant(s) restored, 1 expired, 2 stray entries removed'));
  clock.advance(10_000);
  await s.settle();
  assert.equal(firewall.entries.size, 0, 'the restored grant still closes on time');
});

test('exit: kernel-expiring grants are left to expire; others closed, or kept with close_on_exit = no', async () => {
  for (const [kernelExpiry, closeOnExit, left] of [[true, true, 2], [false, true, 0], [false, false, 2]] as const) {
    const s = setup({ kernelExpiry, closeOnExit });
    await s.grants.restore([ssh]);
    s.grants.open(ssh, A, 4);
    await s.settle();
    await s.grants.closeAll();
    await s.grants.shutdown();
    assert.equal(s.firewall.entries.size, left, `kernelExpiry=${kernelExpiry} closeOnExit=${closeOnExit}`);
    assert.equal(s.recorded().length, left === 0 ? 0 : 1, 'the state file says what is still open');
  }
});

test('a failed open drops the grant and says so; a failed close is tried again', async () => {
  const s = setup({ kernelExpiry: false });
  await s.grants.restore([ssh]);
  s.firewall.failing = true;
  s.grants.open(ssh, A, 4);
  await s.settle();
  assert.equal(s.grants.active().length, 0);
  assert.ok(s.log.has(/cannot open tcp\/22, udp\/1194: .*simulated/));
  assert.deepEqual(s.recorded(), []);
  s.firewall.failing = false;
  s.grants.open(ssh, A, 4);
  await s.settle();
  s.firewall.failing = true;
  s.clock.advance(30_000);
  await s.settle();
  assert.ok(s.log.has('closing the grant failed, trying again'));
  assert.equal(s.recorded().length, 1, 'still recorded while the firewall holds it');
  s.firewall.failing = false;
  s.clock.advance(2_000);
  await s.settle();
  assert.equal(s.firewall.entries.size, 0);
  assert.deepEqual(s.recorded(), []);
});

test('a burst of knocks becomes one firewall batch', async () => {
  const s = setup();
  await s.grants.restore([ssh]);
  const before = s.firewall.log.length;
  let calls = 0;
  const open = s.backend.open.bind(s.backend);
  s.backend.open = async (e: readonly Entry[], n: number) => { calls++; return open(e, n); };
  for (let i = 1; i <= 200; i++) s.grants.open(ssh, `10.0.${i >> 8}.${i & 255}`, 4);
  await s.settle();
  assert.ok(calls <= 2, `${calls} backend calls for 200 knocks`);
  assert.equal(s.firewall.log.length - before, 400);
});

test('idle() waits for a state file write that completes on a later turn of the event loop (no microtask spin)', { timeout: 5000 }, async () => {
  const store = new MemoryFileStore();
  store.writeAtomicAsync = (path: string, data: string) => new Promise((resolve) => setTimeout(() => { store.writeAtomic(path, data); resolve(); }, 5));
  const s = setup({ store });
  await s.grants.restore([ssh]);
  s.grants.open(ssh, A, 4);
  await s.grants.idle();
  assert.deepEqual(s.recorded().map((g) => g.address), [A]);
  s.grants.revoke(A);
  await s.grants.idle();
  assert.deepEqual(s.recorded(), []);
});

test('grant (SPA): exactly the requested services for the requested time, same lifecycle as open', async () => {
  const s = setup({ kernelExpiry: false });
  await s.grants.restore([ssh]);
  s.grants.grant(ssh, A, 4, [{ proto: 'udp', port: 1194 }], 45_000);
  await s.settle();
  assert.ok(s.backend.allows(A, 'udp', 1194, s.clock.now()));
  assert.ok(!s.backend.allows(A, 'tcp', 22, s.clock.now()), 'only what was asked for');
  assert.deepEqual(s.recorded().map((g) => [g.door, g.address, g.services, g.expiresAt - s.clock.now()]), [['ssh', A, [{ proto: 'udp', port: 1194 }], 45_000]]);
  assert.ok(s.log.has(`${A}: ssh: opened udp/1194 for 45 s`));
  s.clock.advance(45_000);
  await s.settle();
  assert.ok(!s.backend.allows(A, 'udp', 1194, s.clock.now()));
  assert.deepEqual(s.recorded(), []);
});

test('grant (SPA): a second request adds its ports and keeps the later expiry; revoke closes the lot', async () => {
  const s = setup({ kernelExpiry: false });
  await s.grants.restore([ssh]);
  s.grants.grant(ssh, A, 4, [{ proto: 'tcp', port: 22 }], 60_000);
  await s.settle();
  s.clock.advance(10_000);
  s.grants.grant(ssh, A, 4, [{ proto: 'udp', port: 1194 }, { proto: 'tcp', port: 22 }], 5_000);
  await s.settle();
  const [g] = s.grants.active();
  assert.deepEqual(g!.services, [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }]);
  assert.equal(g!.expiresAt - s.clock.now(), 50_000, 'never shortened');
  assert.ok(s.log.has(`${A}: ssh: already open, extended to 50 s from now`));
  assert.equal(s.grants.revoke(A), 1);
  await s.settle();
  assert.equal(s.firewall.entries.size, 0);
  s.grants.grant(ssh, A, 4, [], 5_000);
  await s.settle();
  assert.equal(s.grants.active().length, 0, 'nothing asked, nothing granted');
});
