// The whole pipeline with in-memory edges: capture double → Daemon → real
// CommandGrants with a recording runner and an in-memory state file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Door } from '../config/model.js';
import { door, options, tcp } from '../door/testing.js';
import { daemonPipeline } from './testing.js';

const CLIENT = '192.0.2.10';

function lab(doors: Door[], opts = options(), interfaces = ['eth0']) {
  const t = daemonPipeline(doors, {
    options: opts, interfaces,
    buildFilter: (c, a, p) => `doors=${c.doors.map((d) => d.name).join('+')} addrs=${a.v4.join('+')} tcp=${p.tcp.join('+')}`,
  });
  return { ...t, knock: (...ports: number[]) => t.knock(CLIENT, ...ports) };
}

const withCommands = (d: Door): Door => ({ ...d, startCommand: 'open %IP%', stopCommand: 'close %IP%', cmdTimeoutMs: 5000 });

describe('Daemon', () => {
  it('captures once on "any", filtered to the interfaces\' addresses, and logs when ready', async () => {
    const t = lab([door('ssh', '7000,8000')], options(), ['eth0', 'missing0']);
    await t.daemon.start();
    assert.deepEqual(t.capture.handles.map((h) => [h.iface, h.filter]), [['any', 'doors=ssh addrs=10.0.0.1 tcp=22']]);
    assert.ok(t.log.has('interface missing0 does not exist (yet)'));
    assert.ok(t.log.has('starting up, listening on eth0,missing0'));
    await t.daemon.stop();
    assert.ok(t.capture.handles.every((h) => h.closed));
  });

  it('runs the start command on OPEN SESAME and the stop command cmd_timeout later', async () => {
    const t = lab([withCommands(door('ssh', '7000,8000,9000'))]);
    await t.daemon.start();
    await t.knock(7000, 8000, 9000);
    assert.ok(t.log.has(`${CLIENT}: ssh: OPEN SESAME`));
    assert.deepEqual(t.runner.commands, [`open ${CLIENT}`]);
    t.clock.advance(4999);
    await t.grants.idle();
    assert.deepEqual(t.runner.commands, [`open ${CLIENT}`]);
    t.clock.advance(1);
    await t.grants.idle();
    assert.deepEqual(t.runner.commands, [`open ${CLIENT}`, `close ${CLIENT}`]);
    assert.ok(t.log.has(`${CLIENT}: ssh: command timeout`));
    await t.daemon.stop();
  });

  it('logs a sequence timeout on time with no further packet', async () => {
    const t = lab([door('ssh', '7000,8000', { seqTimeoutMs: 5000 })]);
    await t.daemon.start();
    await t.knock(7000);
    t.clock.advance(5000);
    assert.ok(t.log.has(`${CLIENT}: ssh: sequence timeout (stage 1)`));
    const entry = t.log.entries.find((e) => e.msg.includes('sequence timeout'))!;
    assert.equal(entry.time - t.log.entries.find((e) => e.msg.includes('Stage 1'))!.time, 5000);
    await t.daemon.stop();
  });

  it('closes open doors when it stops (a stopped daemon cannot close them on time)', async () => {
    const t = lab([withCommands(door('ssh', '7000'))]);
    await t.daemon.start();
    await t.knock(7000);
    await t.daemon.stop();
    assert.deepEqual(t.runner.commands, [`open ${CLIENT}`, `close ${CLIENT}`]);
  });

  it('rebuilds the filter when the host starts serving a new port', async () => {
    const t = lab([door('ssh', '7000')]);
    await t.daemon.start();
    t.host.hostPorts = { ...t.host.hostPorts, tcp: [22, 443] };
    t.clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(t.capture.openOn('any')[0]!.filters, ['doors=ssh addrs=10.0.0.1 tcp=22', 'doors=ssh addrs=10.0.0.1 tcp=22+443']);
    await t.daemon.stop();
  });

  it('reload keeps attempts of unchanged doors', async () => {
    const t = lab([door('ssh', '7000,8000,9000'), door('web', '1111,2222')]);
    await t.daemon.start();
    await t.knock(7000, 8000);
    t.daemon.reload({ file: 'x', options: options(), doors: [door('ssh', '7000,8000,9000'), door('web', '1111,3333')] });
    await t.knock(9000);
    assert.ok(t.log.has(`${CLIENT}: ssh: OPEN SESAME`));
    assert.equal(t.capture.openOn('any')[0]!.filter, 'doors=ssh+web addrs=10.0.0.1 tcp=22');
    await t.daemon.stop();
  });

  it('one-time sequences: each is used once, the line is commented out, the last disables the door', async () => {
    const file = '/etc/knockd/otp';
    const d = withCommands(door('otp', '2001,2002', { oneTimeSequences: file }));
    const t = lab([d]);
    t.files.writeAtomic(file, ' 2001,2002\n3001,3002\n');
    await t.daemon.start();
    await t.knock(2001, 2002);
    assert.equal(t.files.read(file), '# 2001,2002\n3001,3002\n');
    await t.knock(2001, 2002);
    assert.equal(t.log.messages().filter((m) => m.includes('OPEN SESAME')).length, 1);
    await t.knock(3001, 3002);
    assert.equal(t.files.read(file), '# 2001,2002\n#3001,3002\n');
    assert.ok(t.log.has('no more sequences left in the one time sequences file for door otp --> disabling the door'));
    assert.equal(t.daemon.doors.length, 0);
    await t.knock(3001, 3002);
    assert.equal(t.log.messages().filter((m) => m.includes('OPEN SESAME')).length, 2);
    await t.daemon.stop();
  });

  it('a flood of first knocks from spoofed sources is logged as a summary, not a line per packet', async () => {
    const t = lab([door('ssh', '7000,8000', { seqTimeoutMs: 1000 })], options({ maxAttempts: 1000 }));
    await t.daemon.start();
    for (let i = 0; i < 5000; i++) t.capture.inject('any', tcp(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 7000));
    const stageLines = t.log.messages().filter((m) => m.includes('Stage 1')).length;
    assert.ok(stageLines <= 200, `${stageLines} stage lines`);
    assert.equal(t.daemon.stats().attempts, 1000);
    for (let i = 0; i < 10; i++) {
      t.clock.advance(1000);
      await new Promise((r) => setImmediate(r)); // the host refresh is async; the next tick is armed after it
    }
    assert.ok(t.log.has(/log lines suppressed/));
    assert.ok(t.log.has(/4000 attempts evicted/));
    await t.daemon.stop();
  });
});
