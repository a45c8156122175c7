// Runs real /bin/sh commands: the process-group kill can only be tested for real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTPUT_TAIL_BYTES, ShellRunner } from './runner.js';

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

test('reports the exit status and the output of stdout and stderr', async () => {
  const r = new ShellRunner();
  const ok = await r.run('echo out; echo err >&2', 5000);
  assert.equal(ok.exitCode, 0);
  assert.equal(ok.signal, null);
  assert.equal(ok.timedOut, false);
  assert.equal(ok.error, undefined);
  assert.match(ok.output, /out\n/);
  assert.match(ok.output, /err\n/);
  const bad = await r.run('exit 3', 5000);
  assert.equal(bad.exitCode, 3);
});

test('keeps only the last 4 KiB of output', async () => {
  const out = await new ShellRunner().run(`head -c 10000 /dev/zero | tr '\\0' a; printf END`, 5000);
  assert.equal(out.exitCode, 0);
  assert.equal(out.output.length, OUTPUT_TAIL_BYTES);
  assert.ok(out.output.endsWith('aaaEND'));
});

test('the command runs in its own session, as knockd setsid()s', async () => {
  const out = await new ShellRunner().run('ps -o sid= -p $$', 5000);
  assert.notEqual(Number(out.output.trim()), process.pid);
  assert.notEqual(Number(out.output.trim()), 0);
});

test('a timed-out command is killed together with its children', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-runner-'));
  try {
    const pidFile = join(dir, 'child');
    const started = Date.now();
    const out = await new ShellRunner().run(`sleep 60 & echo $! > ${pidFile}; sleep 60`, 300);
    assert.ok(Date.now() - started < 3000, 'returned soon after the time limit');
    assert.equal(out.timedOut, true);
    assert.equal(out.exitCode, null);
    assert.equal(out.signal, 'SIGTERM');
    const child = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(await waitFor(() => !running(child)), 'the background sleep was killed too');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a command that ignores SIGTERM is killed with SIGKILL after the grace time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-runner-'));
  try {
    const pidFile = join(dir, 'child');
    const runner = new ShellRunner({ killGraceMs: 200 });
    // The ignored SIGTERM is inherited by the children too.
    const out = await runner.run(`trap '' TERM; sleep 60 & echo $! > ${pidFile}; sleep 60`, 200);
    assert.equal(out.timedOut, true);
    assert.equal(out.signal, 'SIGKILL');
    const child = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(await waitFor(() => !running(child)), 'the background sleep was killed too');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a background child holding the output pipes does not hold the outcome back', async () => {
  const started = Date.now();
  const out = await new ShellRunner({ killGraceMs: 100 }).run('echo hi; sleep 1 &', 5000);
  assert.equal(out.exitCode, 0);
  assert.ok(Date.now() - started < 2000);
  assert.match(out.output, /hi/);
});

test('at most maxConcurrent commands run; more wait; beyond the queue they are dropped', async () => {
  const runner = new ShellRunner({ maxConcurrent: 2, maxQueued: 1 });
  const runs = [runner.run('sleep 0.2', 5000), runner.run('sleep 0.2', 5000), runner.run('echo third', 5000)];
  assert.equal(runner.running, 2);
  assert.equal(runner.queued, 1);
  const dropped = await runner.run('echo fourth', 5000);
  assert.match(dropped.error ?? '', /queue full/);
  assert.equal(dropped.exitCode, null);
  const [a, b, c] = await Promise.all(runs);
  assert.equal(a.exitCode, 0);
  assert.equal(b.exitCode, 0);
  assert.equal(c.exitCode, 0);
  assert.match(c.output, /third/);
  assert.equal(runner.running, 0);
  assert.equal(runner.queued, 0);
});

test('a spawn failure is reported, not thrown', async () => {
  const out = await new ShellRunner({ shell: '/nonexistent/sh' }).run('true', 1000);
  assert.equal(out.exitCode, null);
  assert.match(out.error ?? '', /ENOENT/);
});
