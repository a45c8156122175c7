import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, type Door } from '../config/model.js';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { ManualClock } from '../util/clock.js';
import { parseGrants, serializeGrants } from './grant-file.js';
import { CommandGrants } from './grants.js';
import { RecordingRunner } from './recording-runner.js';

const STATE = '/state/grants.json';

function makeDoor(name: string, overrides: Partial<Door> = {}): Door {
  return {
    name, line: 1, sequence: [{ proto: 'tcp', port: 7000 }], seqTimeoutMs: DEFAULTS.seqTimeoutMs, knockMinGapMs: 0, knockMaxGapMs: 0, cmdTimeoutMs: 10_000,
    tcpFlags: [], allow: [], allowDuplicates: false, cooldownMs: 0, open: [], forwards: [], openTimeoutMs: DEFAULTS.openTimeoutMs, revokes: [],
    startCommand: `open ${name} %IP%`, stopCommand: `close ${name} %IP%`, ...overrides,
  };
}

function setup(options: { store?: MemoryFileStore; clock?: ManualClock; maxGrants?: number } = {}) {
  const clock = options.clock ?? new ManualClock();
  const store = options.store ?? new MemoryFileStore();
  const runner = new RecordingRunner();
  const log = new MemoryLogger(clock);
  const grants = new CommandGrants({
    runner, clock, store, statePath: STATE, log, commandTimeoutMs: 5000,
    ...(options.maxGrants !== undefined ? { maxGrants: options.maxGrants } : {}),
  });
  return { clock, store, runner, log, grants };
}

/** Lets every queued promise continuation and microtask run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function saved(store: MemoryFileStore) {
  const text = store.read(STATE);
  return text === undefined ? undefined : parseGrants(text).grants;
}

test('open runs the expanded start command with the time limit, logs like knockd, and schedules the stop', async () => {
  const { runner, grants, log, clock, store } = setup();
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  assert.deepEqual(runner.commands, ['open ssh 192.0.2.7']);
  assert.deepEqual(runner.timeouts, [5000]);
  assert.ok(log.has('ssh: running command: open ssh 192.0.2.7'));
  assert.deepEqual(grants.pending(), [{ door: 'ssh', ip: '192.0.2.7', dueAt: clock.now() + 10_000 }]);
  assert.deepEqual(saved(store), [{ door: 'ssh', ip: '192.0.2.7', family: 4, stop: 'close ssh 192.0.2.7', dueAt: clock.now() + 10_000 }]);
});

test('the stop is in the state file before the start command runs', async () => {
  const { runner, grants, store } = setup();
  let seenAtStart: unknown;
  runner.respondWith((command) => {
    if (command.startsWith('open')) seenAtStart = saved(store);
    return {};
  });
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  assert.deepEqual((seenAtStart as Array<{ stop: string }>).map((g) => g.stop), ['close ssh 192.0.2.7']);
});

test('the stop runs cmd_timeout after the start command returns, then leaves the state file', async () => {
  const { runner, grants, log, clock, store } = setup();
  runner.hold();
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  clock.advance(4000); // the start command takes 4 s
  runner.release();
  await settle();
  const returnedAt = clock.now();
  assert.equal(grants.pending()[0]!.dueAt, returnedAt + 10_000);
  assert.equal(saved(store)![0]!.dueAt, returnedAt + 10_000);
  clock.advance(9_999);
  await settle();
  assert.equal(runner.commands.length, 1);
  clock.advance(1);
  await settle();
  assert.deepEqual(runner.commands, ['open ssh 192.0.2.7', 'close ssh 192.0.2.7']);
  const messages = log.messages();
  const timeoutAt = messages.indexOf('192.0.2.7: ssh: command timeout');
  assert.ok(timeoutAt >= 0);
  assert.equal(messages[timeoutAt + 1], 'ssh: running command: close ssh 192.0.2.7');
  assert.deepEqual(grants.pending(), []);
  assert.deepEqual(saved(store), []);
});

test('a repeat open while the door is open extends the stop instead of opening twice (knockd #70)', async () => {
  const { runner, grants, log, clock, store } = setup();
  const door = makeDoor('ssh');
  grants.open(door, '192.0.2.7', 4);
  await settle();
  clock.advance(6000);
  grants.open(door, '192.0.2.7', 4);
  await settle();
  assert.deepEqual(runner.commands, ['open ssh 192.0.2.7']);
  assert.ok(log.has('192.0.2.7: ssh: already open, stop command postponed'));
  assert.equal(grants.pending()[0]!.dueAt, clock.now() + 10_000);
  assert.equal(saved(store)![0]!.dueAt, clock.now() + 10_000);
  clock.advance(9_999);
  await settle();
  assert.equal(runner.commands.length, 1, 'the first due time no longer applies');
  clock.advance(1);
  await settle();
  assert.deepEqual(runner.commands, ['open ssh 192.0.2.7', 'close ssh 192.0.2.7']);
});

test('a repeat open while the start command is still running does nothing more', async () => {
  const { runner, grants, log } = setup();
  runner.hold();
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  assert.equal(runner.commands.length, 1);
  assert.ok(log.has('192.0.2.7: ssh: start command still running'));
  runner.release();
  await settle();
  assert.equal(grants.pending().length, 1);
});

test('an open while the stop command runs opens again once it has returned', async () => {
  const { runner, grants, log, clock } = setup();
  const door = makeDoor('ssh');
  grants.open(door, '192.0.2.7', 4);
  await settle();
  runner.hold();
  clock.advance(10_000);
  await settle();
  assert.equal(runner.commands.at(-1), 'close ssh 192.0.2.7');
  grants.open(door, '192.0.2.7', 4);
  await settle();
  assert.equal(runner.commands.length, 2);
  assert.ok(log.has('stop command running, opening again'));
  runner.release();
  await settle();
  runner.release();
  await settle();
  assert.deepEqual(runner.commands, ['open ssh 192.0.2.7', 'close ssh 192.0.2.7', 'open ssh 192.0.2.7']);
  assert.equal(grants.pending().length, 1);
});

test('different doors and different addresses are independent', async () => {
  const { runner, grants } = setup();
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  grants.open(makeDoor('web'), '192.0.2.7', 4);
  grants.open(makeDoor('ssh'), '192.0.2.8', 4);
  await settle();
  assert.equal(runner.commands.length, 3);
  assert.equal(grants.pending().length, 3);
});

test('opens in the same tick share one state-file write', async () => {
  const { grants, store } = setup();
  grants.open(makeDoor('a'), '192.0.2.1', 4);
  grants.open(makeDoor('b'), '192.0.2.1', 4);
  grants.open(makeDoor('c'), '192.0.2.1', 4);
  assert.equal(store.writes, 0);
  await settle();
  // One write before the starts; none when they returned, as the clock did not
  // move and so the due times did not change.
  assert.equal(store.writes, 1);
  assert.equal(saved(store)!.length, 3);
});

test('a start-only door runs its command on every open, but never twice at once', async () => {
  const { runner, grants, log, clock, store } = setup();
  const door = makeDoor('wol', { stopCommand: undefined });
  grants.open(door, '192.0.2.7', 4);
  await settle();
  grants.open(door, '192.0.2.7', 4);
  await settle();
  assert.deepEqual(runner.commands, ['open wol 192.0.2.7', 'open wol 192.0.2.7']);
  runner.hold();
  grants.open(door, '192.0.2.7', 4);
  grants.open(door, '192.0.2.7', 4);
  assert.equal(runner.commands.length, 3);
  assert.ok(log.has('192.0.2.7: wol: previous command still running'));
  runner.release();
  await settle();
  clock.advance(60_000);
  await settle();
  assert.equal(runner.commands.length, 3, 'no stop command');
  assert.deepEqual(grants.pending(), []);
  assert.equal(store.read(STATE), undefined, 'nothing to record');
});

test('IPv6 knockers get the _6 commands; an empty Start_Command_6 runs nothing', async () => {
  const { runner, grants, clock } = setup();
  grants.open(makeDoor('v6', { startCommand6: 'open6 %IP%', stopCommand6: 'close6 %IP%' }), '2001:db8::7', 6);
  grants.open(makeDoor('none6', { startCommand6: '' }), '2001:db8::7', 6);
  await settle();
  clock.advance(10_000);
  await settle();
  assert.deepEqual(runner.commands, ['open6 2001:db8::7', 'close6 2001:db8::7']);
});

test('an address that is not a plain literal never reaches a command', async () => {
  const { runner, grants, log } = setup();
  grants.open(makeDoor('ssh'), '1.2.3.4; rm -rf /', 4);
  grants.open(makeDoor('ssh'), 'fe80::1%eth0', 6);
  await settle();
  assert.deepEqual(runner.commands, []);
  assert.equal(log.messages('error').length, 2);
});

test('non-zero status, time-outs and output are logged; the stop still runs', async () => {
  const { runner, grants, log, clock } = setup();
  runner.script({ exitCode: 2, output: 'iptables: Bad rule\n' }, { exitCode: null, signal: 'SIGTERM', timedOut: true });
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  assert.ok(log.messages('warn').includes('ssh: command returned non-zero status code (2)'));
  assert.ok(log.has('ssh: command output: iptables: Bad rule'));
  clock.advance(10_000);
  await settle();
  assert.equal(runner.commands.length, 2);
  assert.ok(log.has('ssh: command did not finish within 5 s and was killed'));
});

test('a start command that could not run leaves no stop behind', async () => {
  const { runner, grants, log, clock, store } = setup();
  runner.script({ exitCode: null, error: 'command queue full (1024 waiting), command dropped' });
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  clock.advance(20_000);
  await settle();
  assert.deepEqual(runner.commands, ['open ssh 192.0.2.7']);
  assert.ok(log.has('ssh: command did not run: command queue full'));
  assert.deepEqual(grants.pending(), []);
  assert.deepEqual(saved(store), []);
});

test('beyond maxGrants opens are refused and logged', async () => {
  const { runner, grants, log } = setup({ maxGrants: 2 });
  grants.open(makeDoor('ssh'), '192.0.2.1', 4);
  grants.open(makeDoor('ssh'), '192.0.2.2', 4);
  grants.open(makeDoor('ssh'), '192.0.2.3', 4);
  await settle();
  assert.equal(runner.commands.length, 2);
  assert.ok(log.has('192.0.2.3: ssh: too many open doors (2), not opening'));
});

test('restore runs overdue stops at once and re-arms the others', async () => {
  const clock = new ManualClock();
  const store = new MemoryFileStore();
  const now = clock.now();
  store.writeAtomic(STATE, serializeGrants([
    { door: 'ssh', ip: '192.0.2.1', family: 4, stop: 'close ssh 192.0.2.1', dueAt: now - 1000 },
    { door: 'ssh', ip: '2001:db8::2', family: 6, stop: 'close ssh 2001:db8::2', dueAt: now + 3000 },
  ]));
  const { runner, grants, log } = setup({ clock, store });
  await grants.restore();
  assert.deepEqual(runner.commands, ['close ssh 192.0.2.1']);
  assert.ok(log.has('192.0.2.1: ssh: command timeout'));
  assert.deepEqual(grants.pending(), [{ door: 'ssh', ip: '2001:db8::2', dueAt: now + 3000 }]);
  await settle();
  assert.equal(saved(store)!.length, 1);
  clock.advance(3000);
  await settle();
  assert.deepEqual(runner.commands, ['close ssh 192.0.2.1', 'close ssh 2001:db8::2']);
  assert.deepEqual(saved(store), []);
});

test('crash after the start: a new instance on the same store runs the stop when due', async () => {
  const clock = new ManualClock();
  const store = new MemoryFileStore();
  const first = setup({ clock, store });
  first.grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  // The process dies here: no close(), its timers never fire.
  first.grants.close();
  clock.advance(4000);
  const second = setup({ clock, store });
  await second.grants.restore();
  assert.deepEqual(second.runner.commands, []);
  clock.advance(6000);
  await settle();
  assert.deepEqual(second.runner.commands, ['close ssh 192.0.2.7']);
  assert.deepEqual(saved(store), []);
});

test('crash while the start command runs: the stop is not lost', async () => {
  const clock = new ManualClock();
  const store = new MemoryFileStore();
  const first = setup({ clock, store });
  first.runner.hold();
  first.grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  assert.equal(first.runner.running, 1);
  first.grants.close();
  clock.advance(60_000);
  const second = setup({ clock, store });
  await second.grants.restore();
  assert.deepEqual(second.runner.commands, ['close ssh 192.0.2.7']);
});

test('after a restart a knock on a still-open door extends it', async () => {
  const clock = new ManualClock();
  const store = new MemoryFileStore();
  const first = setup({ clock, store });
  first.grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  first.grants.close();
  const second = setup({ clock, store });
  await second.grants.restore();
  clock.advance(5000);
  second.grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  assert.deepEqual(second.runner.commands, []);
  assert.equal(second.grants.pending()[0]!.dueAt, clock.now() + 10_000);
});

test('a corrupt state file is reported, kept aside, and replaced', async () => {
  const store = new MemoryFileStore();
  store.writeAtomic(STATE, '{"version":1,"grants":[{"door":"x"');
  const { grants, log, runner } = setup({ store });
  await grants.restore();
  assert.ok(log.messages('error').some((m) => m.includes('not JSON')));
  assert.equal(store.read(`${STATE}.corrupt`), '{"version":1,"grants":[{"door":"x"');
  await settle();
  assert.deepEqual(saved(store), []);
  assert.deepEqual(runner.commands, []);
});

test('unusable entries are skipped; the others are restored', async () => {
  const store = new MemoryFileStore();
  const now = new ManualClock().now();
  store.writeAtomic(STATE, JSON.stringify({ version: 1, grants: [
    { door: 'ssh', ip: '192.0.2.1', family: 4, stop: 'close', dueAt: now + 1000 },
    { door: 'ssh', ip: '192.0.2.1', family: 6, stop: 'close', dueAt: now + 1000 },
    { door: 'ssh', ip: '192.0.2.2', family: 4, stop: 'close' },
  ] }));
  const { grants, log } = setup({ store });
  await grants.restore();
  assert.equal(grants.pending().length, 1);
  assert.equal(log.messages('error').length, 2);
  await settle();
  assert.equal(saved(store)!.length, 1);
});

test('a failing state-file write is logged once and does not stop the door from working', async () => {
  const { grants, store, runner, log, clock } = setup();
  store.failWrites = true;
  grants.open(makeDoor('a'), '192.0.2.1', 4);
  await settle();
  grants.open(makeDoor('b'), '192.0.2.1', 4);
  await settle();
  assert.equal(log.messages('error').filter((m) => m.startsWith('cannot save pending stop commands to /state/grants.json')).length, 1);
  clock.advance(10_000);
  await settle();
  assert.deepEqual(runner.commands, ['open a 192.0.2.1', 'open b 192.0.2.1', 'close a 192.0.2.1', 'close b 192.0.2.1']);
});

test('shutdown waits for running commands and keeps owed stops for the next start', async () => {
  const { grants, store, runner, clock } = setup();
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  runner.hold();
  grants.open(makeDoor('web'), '192.0.2.7', 4);
  await settle();
  let done = false;
  const finished = grants.shutdown().then(() => { done = true; });
  await settle();
  assert.equal(done, false, 'waits for the running start command');
  runner.release();
  await finished;
  clock.advance(60_000);
  await settle();
  assert.deepEqual(runner.commands, ['open ssh 192.0.2.7', 'open web 192.0.2.7']);
  assert.equal(saved(store)!.length, 2);
  grants.open(makeDoor('late'), '192.0.2.7', 4);
  await settle();
  assert.equal(runner.commands.length, 2, 'no opens after shutdown');
});

test('closeAll runs every owed stop now, including one whose start is still running', async () => {
  const { grants, store, runner } = setup();
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  runner.hold();
  grants.open(makeDoor('web'), '192.0.2.7', 4);
  await settle();
  const all = grants.closeAll();
  runner.release();
  await all;
  assert.deepEqual(runner.commands.slice().sort(), ['close ssh 192.0.2.7', 'close web 192.0.2.7', 'open ssh 192.0.2.7', 'open web 192.0.2.7']);
  assert.deepEqual(grants.pending(), []);
  assert.deepEqual(saved(store), []);
});

test('a stop command that could not be started is retried, then given up with an error', async () => {
  const { runner, grants, log, clock, store } = setup();
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  runner.respondWith(() => ({ exitCode: null, error: 'command queue full (1024 waiting), command dropped' }));
  clock.advance(10_000);
  await settle();
  assert.equal(runner.commands.length, 2);
  assert.equal(grants.pending().length, 1, 'still owed');
  assert.equal(saved(store)![0]!.dueAt, clock.now() + 5000);
  for (let attempt = 1; attempt < 5; attempt++) {
    clock.advance(5000 * attempt);
    await settle();
  }
  assert.equal(runner.commands.length, 6, 'five attempts in all');
  assert.ok(log.has('192.0.2.7: ssh: stop command did not run after 5 attempts, giving up: close ssh 192.0.2.7'));
  assert.deepEqual(grants.pending(), []);
  assert.deepEqual(saved(store), []);
});

test('a stop that fails to start once succeeds on the retry', async () => {
  const { runner, grants, clock } = setup();
  grants.open(makeDoor('ssh'), '192.0.2.7', 4);
  await settle();
  runner.script({ exitCode: null, error: 'cannot run command: spawn EAGAIN' });
  clock.advance(10_000);
  await settle();
  clock.advance(5000);
  await settle();
  assert.deepEqual(runner.commands, ['open ssh 192.0.2.7', 'close ssh 192.0.2.7', 'close ssh 192.0.2.7']);
  assert.deepEqual(grants.pending(), []);
});
