import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PidFileError, processIsAlive, readPidFile, removePidFile, writePidFile } from './pidfile.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-pid-'));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  return Number(spawnSync('/bin/sh', ['-c', 'echo $$']).stdout.toString().trim());
}

test('writes "%d\\n" like knockd and removes it again', () => {
  withDir((dir) => {
    const path = join(dir, 'portcullis.pid');
    writePidFile(path, 4242, { isAlive: () => false });
    assert.equal(readFileSync(path, 'utf8'), '4242\n');
    assert.equal(readPidFile(path), 4242);
    removePidFile(path, 4242);
    assert.equal(readPidFile(path), undefined);
    assert.deepEqual(readdirSync(dir), []);
  });
});

test('refuses a pid file held by a live process', () => {
  withDir((dir) => {
    const path = join(dir, 'portcullis.pid');
    writeFileSync(path, `${process.pid}\n`);
    assert.throws(() => writePidFile(path, process.pid + 1), (err: unknown) => err instanceof PidFileError && err.code === 'PIDFILE_IN_USE');
    assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
  });
});

test('replaces a stale pid file left by a dead process', () => {
  withDir((dir) => {
    const path = join(dir, 'portcullis.pid');
    const dead = deadPid();
    assert.equal(processIsAlive(dead), false);
    writeFileSync(path, `${dead}\n`);
    writePidFile(path, process.pid);
    assert.equal(readPidFile(path), process.pid);
  });
});

test('replaces a pid file with garbage in it, or one that already names us', () => {
  withDir((dir) => {
    const path = join(dir, 'portcullis.pid');
    writeFileSync(path, 'not a pid');
    writePidFile(path, 77, { isAlive: () => true });
    assert.equal(readPidFile(path), 77);
    writePidFile(path, 77, { isAlive: () => true });
    assert.equal(readPidFile(path), 77);
  });
});

test('the liveness check is asked about the recorded pid', () => {
  withDir((dir) => {
    const path = join(dir, 'portcullis.pid');
    writeFileSync(path, '123\n');
    const asked: number[] = [];
    assert.throws(() => writePidFile(path, 5, { isAlive: (pid) => { asked.push(pid); return true; } }), { code: 'PIDFILE_IN_USE' });
    writePidFile(path, 5, { isAlive: (pid) => { asked.push(pid); return false; } });
    assert.deepEqual(asked, [123, 123]);
    assert.equal(readPidFile(path), 5);
  });
});

test('removePidFile leaves a file that names another process alone', () => {
  withDir((dir) => {
    const path = join(dir, 'portcullis.pid');
    writeFileSync(path, '999\n');
    removePidFile(path, 5);
    assert.equal(readPidFile(path), 999);
    removePidFile(join(dir, 'missing.pid'), 5);
  });
});

test('an unwritable location is a PIDFILE_WRITE error', () => {
  withDir((dir) => {
    assert.throws(() => writePidFile(join(dir, 'no', 'dir', 'x.pid'), 5), { code: 'PIDFILE_WRITE' });
  });
});

test('processIsAlive: us yes, a reaped child no', () => {
  assert.equal(processIsAlive(process.pid), true);
  assert.equal(processIsAlive(deadPid()), false);
});
