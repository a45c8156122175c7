// The control handler on the real pipeline with in-memory edges: capture
// double → Daemon → CommandGrants with a recording runner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Door } from '../config/model.js';
import type { GrantControl, ReloadOutcome } from '../control/types.js';
import { door, options, tcp } from '../door/testing.js';
import { buildStatus, daemonControlHandler, firewallGrantControl, grantHolders } from './control-handler.js';
import { daemonPipeline } from './testing.js';
import { newCounters } from './counters.js';

const A = '192.0.2.10';
const B = '192.0.2.11';

const withCommands = (d: Door): Door => ({ ...d, startCommand: 'open %IP%', stopCommand: 'close %IP%', cmdTimeoutMs: 30_000 });

function scene(doors: Door[], extra: GrantControl[] = []) {
  const t = daemonPipeline(doors);
  let outcome: ReloadOutcome = { ok: true, doors: doors.length };
  const handler = daemonControlHandler({ daemon: t.daemon, grants: [t.grants, ...extra], reload: () => outcome, configPath: '/etc/knockd.conf', clock: t.clock, log: t.log });
  return { ...t, handler, setReload: (o: ReloadOutcome) => { outcome = o; } };
}

describe('daemonControlHandler', () => {
  it('reports doors, grants with their time left, attempts in flight and counters', async () => {
    const web = door('web', '7100,8100', { open: [{ proto: 'tcp', port: 443 }], forwards: [{ proto: 'tcp', port: 13389, host: 'fd00::5', family: 6, hostPort: 3389 }] });
    const t = scene([withCommands(door('ssh', '7000,8000,9000')), web]);
    await t.daemon.start();
    await t.knock(A, 7000, 8000, 9000);
    t.clock.advance(5_500);
    await t.knock(B, 7000);
    const r = await t.handler.status();
    assert.equal(r.pid, process.pid);
    assert.equal(r.now, t.clock.now());
    assert.equal(r.config, '/etc/knockd.conf');
    assert.deepEqual(r.doors, [
      { name: 'ssh', kind: 'command', trigger: 'sequence', opens: [], steps: 3, attempts: 1 },
      { name: 'web', kind: 'firewall', trigger: 'sequence', opens: ['tcp/443', 'tcp/13389 -> [fd00::5]:3389'], steps: 2, attempts: 0 },
    ]);
    assert.deepEqual(r.grants, [{
      door: 'ssh', address: A, services: [], expiresAt: t.clock.now() + 24_500, secondsLeft: 25, backend: 'command', state: 'open',
    }]);
    assert.deepEqual(r.attempts, { inFlight: 1, max: 65536 });
    assert.equal(r.counters.packets, 4);
    assert.equal(r.counters.knocks, 4);
    assert.equal(r.counters.opens, 1);
    assert.equal(r.counters.bans, 0);
    assert.equal(r.counters.evictions, 0);
    assert.deepEqual(r.sources, { banned: 0, failing: 0, evictions: 0 });
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r, 'the report survives JSON as it is');
    await t.daemon.stop(true);
  });

  it('revokes one address now (its stop command runs), leaving the others', async () => {
    const t = scene([withCommands(door('ssh', '7000,8000'))]);
    await t.daemon.start();
    await t.knock(A, 7000, 8000);
    await t.knock(B, 7000, 8000);
    assert.equal(await t.handler.revoke('198.51.100.1'), 0);
    assert.equal(await t.handler.revoke(A), 1);
    assert.deepEqual(t.runner.commands, [`open ${A}`, `open ${B}`, `close ${A}`]);
    assert.deepEqual(t.grants.active().map((g) => g.address), [B]);
    assert.ok(t.log.has(`${A}: ssh: revoked, running the stop command now`));
    assert.ok(t.log.has(`control: revoke ${A}: 1 grant(s) closed`));
    // Nothing runs again when the original stop time comes.
    t.clock.advance(30_000);
    await t.grants.idle();
    assert.deepEqual(t.runner.commands, [`open ${A}`, `open ${B}`, `close ${A}`, `close ${B}`]);
    await t.daemon.stop(true);
  });

  it('revokes every grant with undefined, also one whose start command is still running', async () => {
    const t = scene([withCommands(door('ssh', '7000,8000'))]);
    await t.daemon.start();
    await t.knock(A, 7000, 8000);
    t.runner.hold();
    // B's start command is held running.
    t.capture.inject('any', tcp(B, 7000));
    t.capture.inject('any', tcp(B, 8000));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(t.grants.active().map((g) => [g.address, g.state]), [[A, 'open'], [B, 'opening']]);
    const revoked = t.handler.revoke(undefined);
    t.runner.release();
    assert.equal(await revoked, 2);
    assert.deepEqual(t.runner.commands.slice(1).sort(), [`close ${A}`, `close ${B}`, `open ${B}`]);
    assert.deepEqual(t.grants.active(), []);
    await t.daemon.stop(true);
  });

  it('passes the reload outcome on', async () => {
    const t = scene([door('ssh', '7000')]);
    assert.deepEqual(await t.handler.reload(), { ok: true, doors: 1 });
    t.setReload({ ok: false, errors: ['/etc/knockd.conf:2: x'] });
    assert.deepEqual(await t.handler.reload(), { ok: false, errors: ['/etc/knockd.conf:2: x'] });
  });

  it('adds up the grants and revocations of every holder', async () => {
    const firewall = {
      held: [{ door: 'web', address: A, family: 4 as const, services: [{ proto: 'tcp' as const, port: 443 }], forwards: [{ service: { proto: 'tcp' as const, port: 8080 }, host: '10.0.0.5', port: 80 }], expiresAt: 2_000_000_000_000, backend: 'nftables' }],
      idled: 0,
      active() { return this.held; },
      revoke(address: string | undefined) { const n = this.held.filter((h) => address === undefined || h.address === address).length; this.held = []; return n; },
      async idle() { this.idled++; },
    };
    const t = scene([withCommands(door('ssh', '7000'))], [firewallGrantControl(firewall)]);
    await t.daemon.start();
    await t.knock(A, 7000);
    const r = await t.handler.status();
    assert.deepEqual(r.grants.map((g) => [g.door, g.backend, g.services]), [['ssh', 'command', []], ['web', 'nftables', ['tcp/443', 'tcp/8080 -> 10.0.0.5:80']]]);
    assert.equal(await t.handler.revoke(A), 2);
    assert.equal(firewall.idled, 1, 'waits until the firewall applied the closes');
    await t.daemon.stop(true);
  });
});

describe('grantHolders and buildStatus', () => {
  it('finds the firewall grants once they exist (the backend is built lazily)', async () => {
    const commands: GrantControl = { active: () => [], revoke: async () => 0 };
    let firewall: { active: () => []; revoke: () => number } | undefined;
    const holders = grantHolders(commands, () => firewall);
    assert.equal(holders[0], commands);
    assert.equal(await holders[1]!.revoke(undefined), 0, 'no firewall yet: nothing to revoke');
    firewall = { active: () => [], revoke: () => 3 };
    assert.equal(await holders[1]!.revoke(undefined), 3);
  });

  it('leaves per-door attempts out when the daemon did not count them, and never shows negative time', () => {
    const counters = newCounters();
    const r = buildStatus(
      { doors: [door('d', '1')], options: options(), attemptsByDoor: undefined, tables: { attempts: 300_000, banned: 0, failing: 0, evictions: 0 }, counters },
      [{ door: 'd', address: A, services: [], expiresAt: 900, backend: 'command', state: 'closing' }],
      { now: 1000, startedAt: 0, config: '/c', pid: 1 },
    );
    assert.equal(r.doors[0]!.attempts, undefined);
    assert.equal(r.grants[0]!.secondsLeft, 0);
  });
});
