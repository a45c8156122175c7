// sequence_secret doors through the whole daemon pipeline: capture double →
// Daemon (per-window copies in the keeper) → recording commands, on a manual
// clock, with the used windows in an in-memory file store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandGrants } from '../actions/grants.js';
import { RecordingRunner } from '../actions/recording-runner.js';
import { MemoryCaptureSource } from '../capture/memory.js';
import type { Config, Door, Options, SecretSequence } from '../config/model.js';
import { door, options, SERVER, tcp } from '../door/testing.js';
import { deriveSequence, windowIndex, windowStartMs } from '../door/secret-sequence.js';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { ManualClock } from '../util/clock.js';
import { Daemon } from './daemon.js';
import { StaticHostView } from './host.js';
import { oneTimeAdvancer } from './one-time.js';
import { SecretSequences } from './secret-sequences.js';

const A = '192.0.2.10';
const B = '192.0.2.66';
const PATH = '/state/secret-sequences.json';
const SPEC: SecretSequence = { secret: Uint8Array.from({ length: 32 }, (_, i) => i), length: 3, windowSeconds: 30, ports: { from: 1024, to: 32767 }, proto: 'tcp' };
const SSH: Door = { ...door('ssh', '1'), sequence: [], sequenceSecret: SPEC, tcpFlags: [{ flag: 'ack', set: false }], startCommand: 'open %IP%' };
// ManualClock starts at 1_700_000_000_000 ms: 20 s into window 56,666,666 of 30 s.
const W = windowIndex(1_700_000_000_000, 30);

function pipeline(opts: { files?: MemoryFileStore; clock?: ManualClock; options?: Options; doors?: Door[]; store?: boolean } = {}) {
  const clock = opts.clock ?? new ManualClock();
  const log = new MemoryLogger(clock);
  const capture = new MemoryCaptureSource();
  const runner = new RecordingRunner();
  const files = opts.files ?? new MemoryFileStore();
  const host = new StaticHostView({ v4: [SERVER], v6: [] }, { tcp: [22], udp: [], ephemeral: { from: 32768, to: 60999 } });
  const grants = new CommandGrants({ runner, clock, store: files, statePath: '/state/grants.json', log });
  const config: Config = { file: '/etc/portcullis.conf', options: opts.options ?? options(), doors: opts.doors ?? [SSH] };
  const secrets = new SecretSequences({ store: files, path: PATH, log });
  const daemon = new Daemon(config, { interfaces: ['eth0'], ipv4Only: false }, {
    capture, actions: grants, host, clock, log, refreshMs: 1000, buildFilter: () => 'filter',
    advanceOneTime: oneTimeAdvancer(files, log),
    ...(opts.store !== false && { secretSequences: secrets }),
  });
  const knock = async (src: string, ports: readonly number[]) => {
    for (const p of ports) capture.inject('any', tcp(src, p));
    await grants.idle();
  };
  const opens = () => runner.commands.filter((c) => c.startsWith('open '));
  return { clock, log, capture, runner, files, grants, daemon, knock, opens, secrets };
}

const seq = (w: number, name = 'ssh', spec = SPEC) => deriveSequence(spec, name, w);

describe('sequence_secret doors in the daemon', () => {
  it('the current window\'s sequence opens, once: a replay from another address does not', async () => {
    const t = pipeline();
    await t.daemon.start();
    await t.knock(A, seq(W));
    assert.deepEqual(t.opens(), [`open ${A}`]);
    await t.knock(B, seq(W));
    assert.deepEqual(t.opens(), [`open ${A}`], 'a used sequence is used up for every source');
    // The next window's sequence still works (it is a different sequence).
    await t.knock(B, seq(W + 1));
    assert.deepEqual(t.opens(), [`open ${A}`, `open ${B}`]);
    assert.deepEqual(JSON.parse(t.files.read(PATH)!), {
      version: 1,
      seen: t.clock.now(),
      used: [{ door: 'ssh', window: W + 1, proto: 'tcp', ports: seq(W + 1) }, { door: 'ssh', window: W, proto: 'tcp', ports: seq(W) }],
    });
    await t.daemon.stop();
  });

  it('accepts the previous and the next window (clock skew), not two away', async () => {
    for (const [w, opened] of [[W - 2, false], [W - 1, true], [W + 1, true], [W + 2, false]] as const) {
      const t = pipeline();
      await t.daemon.start();
      await t.knock(A, seq(w));
      assert.equal(t.opens().length, opened ? 1 : 0, `window ${w - W}`);
      await t.daemon.stop();
    }
  });

  it('as the windows move on, a sequence is good for at most two more windows, then refused', async () => {
    const t = pipeline();
    await t.daemon.start();
    const sniffed = seq(W);
    t.clock.advance(windowStartMs(W + 1, 30) - t.clock.now()); // exactly at the boundary: W is now the previous window
    await t.knock(A, sniffed);
    assert.equal(t.opens().length, 1);
    const unused = seq(W + 2); // the next window of W+1
    await t.knock(B, unused);
    t.clock.advance(30_000); // window W+2: W−1 is three windows back
    await t.knock(B, seq(W - 1));
    assert.deepEqual(t.opens(), [`open ${A}`, `open ${B}`]);
    const t2 = pipeline();
    await t2.daemon.start();
    t2.clock.advance(60_000); // W+2 from the start: W's sequence, never used, is refused now
    await t2.knock(A, sniffed);
    assert.deepEqual(t2.opens(), []);
    await t.daemon.stop();
    await t2.daemon.stop();
  });

  it('an attempt in progress survives a window boundary', async () => {
    const t = pipeline();
    await t.daemon.start();
    const ports = seq(W);
    await t.knock(A, ports.slice(0, 2));
    t.clock.advance(windowStartMs(W + 1, 30) - t.clock.now() + 5); // the timer moved the windows: W is the previous one now
    await t.knock(A, ports.slice(2));
    assert.deepEqual(t.opens(), [`open ${A}`]);
    await t.daemon.stop();
  });

  it('a wrong port or a decoy fails the attempt, as for any door', async () => {
    const t = pipeline({ options: options({ decoys: { mode: 'auto' }, failureLimit: 3 }) });
    await t.daemon.start();
    const ports = seq(W);
    await t.knock(A, [ports[0]!, 40_000, ports[1]!, ports[2]!]);
    assert.deepEqual(t.opens(), []);
    assert.ok(t.log.has(/ssh: attempt failed at stage 1 \(decoy on port 40000\)/));
    // After the use, the ports of the used sequence are decoys like any unserved port.
    await t.knock(A, ports);
    assert.equal(t.opens().length, 1);
    await t.knock(B, ports);
    assert.equal(t.opens().length, 1);
    assert.equal(t.daemon.stats().banned, 1, 'the replay\'s three knocks were three decoy hits: B is banned');
    await t.daemon.stop();
  });

  it('the used window survives a restart (the record is written before the door opens)', async () => {
    const files = new MemoryFileStore();
    const clock = new ManualClock();
    const first = pipeline({ files, clock });
    await first.daemon.start();
    let recordAtOpen: string | undefined;
    first.runner.respondWith(() => { recordAtOpen = files.read(PATH); return {}; });
    await first.knock(A, seq(W));
    assert.equal(first.opens().length, 1);
    assert.equal(JSON.parse(recordAtOpen!).used.length, 1, 'recorded before the start command ran');
    // A crash: no stop(). The next daemon reads the record.
    const second = pipeline({ files, clock });
    await second.daemon.start();
    await second.knock(B, seq(W));
    assert.deepEqual(second.opens(), []);
    await second.knock(B, seq(W + 1));
    assert.deepEqual(second.opens(), [`open ${B}`]);
    await first.daemon.stop();
    await second.daemon.stop();
  });

  it('a changed secret is not blocked by the old secret\'s record', async () => {
    const files = new MemoryFileStore();
    const first = pipeline({ files });
    await first.daemon.start();
    await first.knock(A, seq(W));
    await first.daemon.stop();
    const other: SecretSequence = { ...SPEC, secret: new Uint8Array(16).fill(7) };
    const second = pipeline({ files, doors: [{ ...SSH, sequenceSecret: other }] });
    await second.daemon.start();
    await second.knock(A, seq(W, 'ssh', other));
    assert.equal(second.opens().length, 1);
    await second.daemon.stop();
  });

  it('an unreadable record refuses the current windows (fail closed) until they pass', async () => {
    const files = new MemoryFileStore();
    files.writeAtomic(PATH, '{"version":1,"used":[{"door":"ssh"');
    const t = pipeline({ files });
    await t.daemon.start();
    assert.ok(t.log.has('is not a valid state file; which derived sequences were used is unknown'));
    for (const w of [W - 1, W, W + 1]) await t.knock(A, seq(w));
    assert.deepEqual(t.opens(), []);
    t.clock.advance(30_000); // W+2 is now accepted, and was never recorded
    await t.knock(A, seq(W + 2));
    assert.deepEqual(t.opens(), [`open ${A}`]);
    await t.daemon.stop();
  });

  it('a failed write still opens, keeps the sequence refused in memory, and says so', async () => {
    const files = new MemoryFileStore();
    const t = pipeline({ files });
    await t.daemon.start();
    files.failWrites = true;
    await t.knock(A, seq(W));
    await t.knock(B, seq(W));
    assert.deepEqual(t.opens(), [`open ${A}`]);
    assert.ok(t.log.has(`cannot write ${PATH}: ENOSPC`));
    await t.daemon.stop();
  });

  it('records stay bounded: only the accepted windows of configured doors are kept', async () => {
    const t = pipeline();
    await t.daemon.start();
    for (let i = 0; i < 10; i++) {
      await t.knock(A, seq(W + i));
      t.clock.advance(30_000);
    }
    assert.equal(t.opens().length, 10);
    const used = JSON.parse(t.files.read(PATH)!).used as { window: number }[];
    assert.ok(used.every((u) => u.window >= W + 9 - 1), JSON.stringify(used));
    await t.daemon.stop();
  });

  it('a clock stepped back (here across a restart) does not bring old windows back', async () => {
    const files = new MemoryFileStore();
    const first = pipeline({ files });
    await first.daemon.start();
    await first.knock(A, seq(W));
    await first.daemon.stop();
    const second = pipeline({ files, clock: new ManualClock(1_700_000_000_000 - 120_000) }); // 4 windows back
    await second.daemon.start();
    assert.ok(second.log.has(/the clock is 120 s behind the latest time recorded/));
    await second.knock(B, seq(W)); // still used
    await second.knock(B, seq(W - 4)); // "current" by the stepped-back clock: not accepted
    assert.deepEqual(second.opens(), []);
    await second.knock(B, seq(W + 1));
    assert.deepEqual(second.opens(), [`open ${B}`]);
    await second.daemon.stop();
  });

  it('a clock stepped forward moves the windows at the next refresh tick, not a window later', async () => {
    const timers = new ManualClock();
    let jump = 0;
    const clock = { now: () => timers.now() + jump, setTimer: (ms: number, fn: () => void) => timers.setTimer(ms, fn) };
    const t = pipeline({ clock: clock as unknown as ManualClock });
    await t.daemon.start();
    jump = 3_600_000; // an hour, e.g. NTP after a suspend; the boundary timer still waits on the monotonic clock
    timers.advance(1000); // one refresh tick
    const now = windowIndex(clock.now(), 30);
    await t.knock(A, seq(W)); // an hour old: refused
    assert.deepEqual(t.opens(), []);
    await t.knock(A, seq(now));
    assert.deepEqual(t.opens(), [`open ${A}`]);
    await t.daemon.stop();
  });

  it('refuses to start without a store for the used windows', async () => {
    const t = pipeline({ store: false });
    await assert.rejects(t.daemon.start(), /sequence_secret doors need a used-sequence store/);
  });
});
