import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ManualClock } from '../util/clock.js';
import { createLogger, type LoggerOptions } from './create-logger.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A stream that never finishes a write until told to, so its buffer fills up. */
class Stuck extends Writable {
  text = '';
  private pending: Array<() => void> = [];
  constructor() { super({ highWaterMark: 64 }); }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.pending.push(done);
  }
  unstick(): void {
    // Finish writes as they come from now on.
    const all = this.pending.splice(0);
    this._write = (chunk: Buffer, _enc: BufferEncoding, done: () => void) => { this.text += chunk.toString(); done(); };
    for (const done of all) done();
  }
}

const clock = new ManualClock(new Date(2026, 2, 4, 5, 6, 7).getTime());

function base(overrides: Partial<LoggerOptions> = {}): LoggerOptions {
  return { stderr: false, syslog: false, format: 'text', verbose: false, debug: false, clock, ...overrides };
}

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-log-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds (or 5 s pass, and the assertions after it fail). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !cond(); i++) await tick();
}

const contains = (path: string, text: string) => (): boolean => existsSync(path) && readFileSync(path, 'utf8').includes(text);

test('stderr gets warnings and errors; info only when verbose; debug only with debug', async () => {
  const quiet = new Capture();
  const q = createLogger(base({ stderr: true, stderrStream: quiet }));
  q.debug('d'); q.info('i'); q.warn('w'); q.error('e');
  assert.equal(quiet.text, '2026-03-04 05:06:07 portcullis: w\n2026-03-04 05:06:07 portcullis: e\n');
  const verbose = new Capture();
  const v = createLogger(base({ stderr: true, stderrStream: verbose, verbose: true }));
  v.debug('d'); v.info('i');
  assert.equal(verbose.text, '2026-03-04 05:06:07 portcullis: i\n');
  const debug = new Capture();
  const d = createLogger(base({ stderr: true, stderrStream: debug, debug: true }));
  d.debug('d');
  assert.equal(debug.text, '2026-03-04 05:06:07 portcullis: d\n');
});

test('stderr: false writes nothing there', () => {
  const err = new Capture();
  const log = createLogger(base({ stderr: false, stderrStream: err }));
  log.error('e');
  assert.equal(err.text, '');
});

test('the LogFile gets info and up in knockd format, appended, mode 0640', () => withDir(async (dir) => {
  const path = join(dir, 'knockd.log');
  writeFileSync(path, '[2026-03-04 05:00] earlier\n');
  const log = createLogger(base({ logFile: path }));
  log.debug('not this');
  log.info('10.0.0.2: ssh: Stage 1');
  log.info('ssh: running command: x\n');
  await log.close();
  assert.equal(readFileSync(path, 'utf8'), '[2026-03-04 05:00] earlier\n[2026-03-04 05:06] 10.0.0.2: ssh: Stage 1\n[2026-03-04 05:06] ssh: running command: x\n');
  const fresh = join(dir, 'new.log');
  const log2 = createLogger(base({ logFile: fresh }));
  log2.info('x');
  await log2.close();
  assert.equal(statSync(fresh).mode & 0o777, 0o640);
}));

test('json format goes to stderr and the LogFile, one object per line', () => withDir(async (dir) => {
  const path = join(dir, 'log.json');
  const err = new Capture();
  const log = createLogger(base({ logFile: path, stderr: true, stderrStream: err, verbose: true, format: 'json' }));
  log.info('10.0.0.2: ssh: OPEN SESAME', { ip: '10.0.0.2', door: 'ssh' });
  await log.close();
  const expected = { time: new Date(clock.now()).toISOString(), level: 'info', msg: '10.0.0.2: ssh: OPEN SESAME', ip: '10.0.0.2', door: 'ssh' };
  assert.deepEqual(JSON.parse(err.text), expected);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), expected);
}));

test('reopen() starts a new file after rotation', () => withDir(async (dir) => {
  const path = join(dir, 'knockd.log');
  const log = createLogger(base({ logFile: path }));
  log.info('before');
  await until(contains(path, 'before'));
  renameSync(path, `${path}.1`);
  log.reopen();
  log.info('after');
  await log.close();
  assert.equal(readFileSync(`${path}.1`, 'utf8'), '[2026-03-04 05:06] before\n');
  assert.equal(readFileSync(path, 'utf8'), '[2026-03-04 05:06] after\n');
}));

test('a LogFile that cannot be opened is reported on stderr once; logging carries on', () => withDir(async (dir) => {
  const err = new Capture();
  const log = createLogger(base({ logFile: join(dir, 'no', 'such', 'dir.log'), stderrStream: err }));
  log.info('a');
  await until(() => err.text !== '');
  log.info('b');
  await tick();
  const lines = err.text.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /cannot write log file .*ENOENT/);
  await log.close();
}));

test('a stream that falls behind drops lines, counts them, and says so once it drains', async () => {
  const stuck = new Stuck();
  const log = createLogger(base({ stderr: true, stderrStream: stuck, maxBuffered: 200 }));
  for (let i = 0; i < 100; i++) log.warn(`line ${i}`);
  assert.ok(stuck.writableLength <= 200 + 64, 'the backlog stays bounded');
  stuck.unstick();
  await tick();
  const lines = stuck.text.trim().split('\n');
  const last = lines.at(-1)!;
  const dropped = Number(/portcullis: (\d+) log lines dropped$/.exec(last)?.[1]);
  assert.ok(dropped > 50, last);
  assert.equal(lines.length - 1 + dropped, 100, 'every line was either written or counted');
});

test('syslog: one logger process gets one line per message; it is restarted at most once per 10 s', () => withDir(async (dir) => {
  const out = join(dir, 'syslog.txt');
  const fake = join(dir, 'fake-logger');
  writeFileSync(fake, `#!/bin/sh\nwhile IFS= read -r line; do printf '%s\\n' "$$ $line" >> ${out}; [ "$line" = die ] && exit 3; done\n`);
  chmodSync(fake, 0o755);
  const err = new Capture();
  const c = new ManualClock();
  const log = createLogger(base({ syslog: true, syslogCommand: [fake], stderrStream: err, clock: c }));
  log.debug('not this');
  log.info('first');
  log.error('multi\nline');
  log.info('die');
  await until(() => err.text.includes('exited'));
  assert.match(err.text, /syslog: .*fake-logger exited \(status 3\)/);
  log.info('lost while down');
  c.advance(10_000);
  log.info('second life');
  await until(contains(out, 'second life'));
  await log.close();
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(' '));
  const pids = new Set(lines.map((l) => l[0]));
  assert.equal(pids.size, 2, 'one process, then one restart');
  assert.deepEqual(lines.map((l) => l.slice(1).join(' ')), ['first', 'multi\\nline', 'die', '1 log lines dropped', 'second life']);
}));

test('a missing logger program is reported once; the rest of logging works', () => withDir(async (dir) => {
  const err = new Capture();
  const path = join(dir, 'f.log');
  const log = createLogger(base({ syslog: true, syslogCommand: ['/nonexistent/logger'], stderrStream: err, logFile: path }));
  log.info('a');
  log.info('b');
  await log.close();
  assert.equal(err.text.trim().split('\n').length, 1);
  assert.match(err.text, /syslog disabled: \/nonexistent\/logger not found/);
  assert.equal(readFileSync(path, 'utf8').split('\n').length, 3);
}));

test('the default syslog command is util-linux logger, if this machine has it', { skip: !existsSync('/usr/bin/logger') }, async () => {
  const err = new Capture();
  const log = createLogger(base({ syslog: true, stderrStream: err }));
  log.info('portcullis unit test: hello syslog');
  await log.close();
  assert.equal(err.text, '');
});

test('after close() nothing more is written', () => {
  const err = new Capture();
  const log = createLogger(base({ stderr: true, stderrStream: err }));
  void log.close();
  log.error('late');
  assert.equal(err.text, '');
});

test('a stream error (e.g. EPIPE on stderr) stops that destination without crashing', () => {
  const broken = new Capture();
  const log = createLogger(base({ stderr: true, stderrStream: broken }));
  broken.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  log.error('after');
  assert.equal(broken.text, '');
});
