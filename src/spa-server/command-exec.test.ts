// SpaCommands and the receiver: command messages in through a socket double,
// out as exec() specs on the recording runner — no shell, the resolved ids,
// the minimal environment, the per-door bound — with counters and log lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingRunner } from '../actions/recording-runner.js';
import type { Config, Door, SpaCommandExec } from '../config/model.js';
import { LogGate } from '../daemon/log-gate.js';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { ManualClock } from '../util/clock.js';
import { MessageType } from '../spa/types.js';
import { MINIMAL_ENV, SpaCommands } from './command-exec.js';
import { TableLookup, resolveIdentities } from './command-identity.js';
import { SPA_REJECT_REASONS } from './gate.js';
import { SpaReceiver, newSpaCounters } from './receiver.js';
import { ReplayStore } from './replay-cache.js';
import { MemorySpaSockets } from './sockets.js';
import { spaPacket, spaTestDoor } from './testing.js';

const CLIENT = '192.0.2.10';
const EXEC: SpaCommandExec = { user: 'spacmd', userLine: 7, timeoutMs: 5000, maxRunning: 2 };
/** The daemon as root, whatever runs the tests. */
const ROOT = { uid: 0, gid: 0, canSwitch: true };
const USERS = new TableLookup({ spacmd: { uid: 990, gid: 990 }, root: { uid: 0, gid: 0 }, toor: { uid: 0, gid: 0 } }, { staff: 50 });

function config(doors: Door[]): Config {
  return { file: '/etc/portcullis.conf', options: { maxSpaPacketAgeMs: 120_000 } as Config['options'], doors };
}

function scene(door: Door, gate = new LogGate(1000, 1000, 0)) {
  const clock = new ManualClock();
  const log = new MemoryLogger(clock);
  const runner = new RecordingRunner();
  const sockets = new MemorySpaSockets();
  const counters = newSpaCounters(SPA_REJECT_REASONS);
  const commands = new SpaCommands({ runner, lookup: USERS, log, clock, self: ROOT });
  const cfg = config([door]);
  assert.deepEqual(commands.prepare(cfg), []);
  const receiver = new SpaReceiver(cfg, {
    replay: new ReplayStore({ store: new MemoryFileStore(), path: '/r', log }), sockets, clock, log, logGate: gate, counters, ipv4Only: false, commands,
    grant: () => assert.fail('a command message grants nothing'),
  });
  const send = (command: string, o: { allowIp?: string } = {}) =>
    sockets.send(62201, spaPacket({ at: clock.now(), type: MessageType.command, allowIp: o.allowIp ?? CLIENT, command }), CLIENT);
  return { clock, log, runner, counters, commands, receiver, cfg, send };
}

const socketDoor = (exec: Partial<SpaCommandExec> = {}) => spaTestDoor('cmd', { listen: 'socket', commandExec: { ...EXEC, ...exec } });

test('an accepted command runs as an argv, as the resolved user, with only PATH, in /, with cmd_exec_timeout; output is logged', async () => {
  const s = scene(socketDoor({ group: 'staff', groupLine: 8 }));
  await s.receiver.start(s.cfg);
  s.runner.respondWith(() => ({ output: 'hello\n' }));
  s.send(`/usr/bin/printf '%s\\n' 'a b'`);
  await s.commands.idle();
  assert.deepEqual(s.runner.commands, [], 'never through the shell (run)');
  assert.deepEqual(s.runner.execs.map(({ signal: _, ...e }) => e), [{ argv: ['/usr/bin/printf', '%s\\n', 'a b'], uid: 990, gid: 50, env: MINIMAL_ENV, cwd: '/', timeoutMs: 5000 }]);
  assert.deepEqual(Object.keys(MINIMAL_ENV), ['PATH']);
  assert.equal(s.counters.commands, 1);
  assert.equal(s.counters.opens, 0);
  assert.ok(s.log.has(`${CLIENT}: cmd: running SPA command as spacmd:staff: /usr/bin/printf '%s\\n' 'a b'`), s.log.messages().join('\n'));
  assert.ok(s.log.has(/cmd: SPA command .* exited with status 0 in 0 ms; output: "hello"$/), s.log.messages().join('\n'));
  assert.ok(s.log.has('cmd: SPA command messages run as spacmd:staff (uid 990, gid 50), no shell, killed after 5 s, at most 2 at once'));
  assert.ok(s.log.has('cmd: enable_cmd_exec without cmd_allow: any command a holder of the door\'s keys sends runs as spacmd'), 'warned at start');
  await s.receiver.stop();
});

test('a failing, timed-out or unrunnable command is logged with its reason', async () => {
  const s = scene(socketDoor());
  await s.receiver.start(s.cfg);
  s.runner.script({ exitCode: 3, output: 'no\n' }, { timedOut: true, exitCode: null, signal: 'SIGTERM' }, { exitCode: null, error: 'cannot run command: spawn /nope ENOENT' });
  s.send('/bin/false');
  s.send('/bin/sleep 60');
  await s.commands.idle();
  s.send('/nope');
  await s.commands.idle();
  assert.ok(s.log.has(/SPA command \/bin\/false exited with status 3; output: "no"/), s.log.messages().join('\n'));
  assert.ok(s.log.has('SPA command /bin/sleep 60 did not finish within 5 s and was killed'));
  assert.ok(s.log.has('SPA command /nope did not run: cannot run command: spawn /nope ENOENT'));
  await s.receiver.stop();
});

test('at most cmd_exec_max_running per door: more are refused (command-busy), counted, logged; a slot frees when one ends', async () => {
  const s = scene(socketDoor({ maxRunning: 2 }));
  await s.receiver.start(s.cfg);
  s.runner.hold();
  for (let i = 0; i < 4; i++) s.send(`/usr/bin/touch /tmp/x${i}`);
  assert.equal(s.runner.execs.length, 2);
  assert.equal(s.commands.runningFor('cmd'), 2);
  assert.equal(s.counters.refused['command-busy'], 2);
  assert.equal(s.counters.commands, 2);
  assert.ok(s.log.has(`${CLIENT}: cmd: SPA packet refused (command-busy): 2 commands of this door are running (cmd_exec_max_running = 2)`), s.log.messages().join('\n'));
  s.runner.release();
  await s.commands.idle();
  assert.equal(s.commands.runningFor('cmd'), 0);
  s.send('/usr/bin/touch /tmp/y');
  assert.equal(s.runner.execs.length, 3);
  await s.commands.idle();
  assert.equal(s.runner.execs[2]!.signal?.aborted, false);
  await s.receiver.stop();
  assert.equal(s.runner.execs[2]!.signal?.aborted, true, 'stopping the receiver kills what still runs (the runner kills on abort)');
  assert.deepEqual(s.commands.start({ door: s.cfg.doors[0]!, argv: ['/bin/true'], address: CLIENT, src: CLIENT }, new LogGate(1, 1, 0)),
    { reason: 'command', detail: 'the daemon is stopping' });
});

test('refusals from the gate are counted by reason; log lines go through the log gate', async () => {
  const s = scene(socketDoor({ allow: [['/usr/bin/id', '-u']] }), new LogGate(0, 2, 0));
  await s.receiver.start(s.cfg);
  s.send('/usr/bin/id -g');
  s.send('id | sh');
  s.send('/usr/bin/id -u');
  s.send('/usr/bin/id -g');
  await s.commands.idle();
  assert.equal(s.counters.refused['command-not-allowed'], 2);
  assert.equal(s.counters.refused['command-syntax'], 1);
  assert.equal(s.counters.commands, 1);
  assert.deepEqual(s.runner.execs.map((e) => e.argv), [['/usr/bin/id', '-u']]);
  assert.equal(s.log.messages().filter((m) => m.startsWith(CLIENT)).length, 2, 'a burst of 2, then nothing: the gate is empty');
  await s.receiver.stop();
});

test('no SpaCommands (a daemon built without it): command messages are refused, never run', async () => {
  const door = socketDoor();
  const clock = new ManualClock();
  const log = new MemoryLogger(clock);
  const sockets = new MemorySpaSockets();
  const counters = newSpaCounters(SPA_REJECT_REASONS);
  const cfg = config([door]);
  const r = new SpaReceiver(cfg, { replay: new ReplayStore({ store: new MemoryFileStore(), path: '/r', log }), sockets, clock, log, logGate: new LogGate(10, 10, 0), counters, ipv4Only: false, grant: () => undefined });
  await r.start(cfg);
  sockets.send(62201, spaPacket({ at: clock.now(), type: MessageType.command, allowIp: CLIENT, command: 'id' }), CLIENT);
  assert.equal(counters.refused.command, 1);
  assert.ok(log.has('SPA packet refused (command): this daemon runs no SPA commands'));
  await r.stop();
});

test('identities: names resolve at prepare(); unknown names, and uid 0 not written as root, are FILE:LINE: key errors; nothing changes then', () => {
  const ok = resolveIdentities(config([socketDoor({ group: 'staff', groupLine: 8 })]), USERS);
  assert.deepEqual(ok.ok && [...ok.ids], [['cmd', { uid: 990, gid: 50, name: 'spacmd:staff' }]]);
  const bad = resolveIdentities(config([
    spaTestDoor('a', { commandExec: { ...EXEC, user: 'ghost' } }),
    spaTestDoor('b', { commandExec: { ...EXEC, group: 'nogroup', groupLine: 9 } }),
    spaTestDoor('c', { commandExec: { ...EXEC, user: 'toor', userLine: 12 } }),
    spaTestDoor('d', { commandExec: { ...EXEC, user: 'root', userLine: 14 } }),
    spaTestDoor('e'),
  ]), USERS);
  assert.deepEqual(!bad.ok && bad.messages, [
    '/etc/portcullis.conf:7: cmd_exec_user: [a]: no user "ghost" on this host (getent passwd); expected an existing account to run its command messages as, e.g. nobody or one made with useradd --system',
    '/etc/portcullis.conf:9: cmd_exec_group: [b]: no group "nogroup" on this host (getent group); expected an existing group, or no cmd_exec_group for the user\'s own',
    '/etc/portcullis.conf:12: cmd_exec_user: [c]: "toor" has uid 0; expected a user without root rights, or cmd_exec_user = root to run commands as root on purpose',
  ]);
  const clock = new ManualClock();
  const log = new MemoryLogger(clock);
  const commands = new SpaCommands({ runner: new RecordingRunner(), lookup: USERS, log, clock, self: ROOT });
  assert.deepEqual(commands.prepare(config([spaTestDoor('d', { commandExec: { ...EXEC, user: 'root' } })])), []);
  assert.ok(log.has('d: SPA command messages run as root (cmd_exec_user = root)'), 'root is warned about');
  assert.equal(commands.prepare(config([spaTestDoor('a', { commandExec: { ...EXEC, user: 'ghost' } })])).length, 1);
});

test('identities: a daemon that is not root (and lacks CAP_SETUID/CAP_SETGID) can only run commands as itself', () => {
  const self = { uid: 990, gid: 990, canSwitch: false };
  assert.deepEqual(resolveIdentities(config([socketDoor()]), USERS, self).ok, true, 'its own user');
  const other = resolveIdentities(config([socketDoor({ group: 'staff', groupLine: 8 })]), USERS, self);
  assert.deepEqual(!other.ok && other.messages, [
    '/etc/portcullis.conf:7: cmd_exec_user: [cmd]: the daemon runs as uid 990, gid 990 without CAP_SETUID and CAP_SETGID, so it cannot run commands as uid 990, gid 50; expected the daemon to run as root (or with both capabilities), or cmd_exec_user naming its own user and group',
  ]);
  assert.equal(resolveIdentities(config([socketDoor({ group: 'staff', groupLine: 8 })]), USERS, { ...self, canSwitch: true }).ok, true, 'with the capabilities');
});
