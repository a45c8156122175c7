import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_STATE_DIR, ensureStateDir, grantsPath, resolveStateDir, StateDirError } from './files.js';

test('--state-dir wins, then [options] StateDir, then $STATE_DIRECTORY, then the default', () => {
  const env = { STATE_DIRECTORY: '/var/lib/from-systemd' };
  assert.equal(resolveStateDir('/cli', '/config', env), '/cli');
  assert.equal(resolveStateDir(undefined, '/config', env), '/config');
  assert.equal(resolveStateDir(undefined, undefined, env), '/var/lib/from-systemd');
  assert.equal(resolveStateDir(undefined, undefined, {}), DEFAULT_STATE_DIR);
  assert.equal(DEFAULT_STATE_DIR, '/var/lib/portcullis');
});

test('empty values do not count', () => {
  assert.equal(resolveStateDir('', '', { STATE_DIRECTORY: '' }), DEFAULT_STATE_DIR);
});

test('$STATE_DIRECTORY may list several directories; the first is used', () => {
  assert.equal(resolveStateDir(undefined, undefined, { STATE_DIRECTORY: '/var/lib/a:/var/lib/b' }), '/var/lib/a');
  assert.equal(resolveStateDir(undefined, undefined, { STATE_DIRECTORY: ':/var/lib/b' }), '/var/lib/b');
});

test('grantsPath names the grant file inside the directory', () => {
  assert.equal(grantsPath('/var/lib/portcullis'), '/var/lib/portcullis/grants.json');
});

test('ensureStateDir creates missing directories with mode 0700 and accepts existing ones', () => {
  const base = mkdtempSync(join(tmpdir(), 'portcullis-statedir-'));
  try {
    const dir = join(base, 'a', 'b');
    ensureStateDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    ensureStateDir(dir);
    const file = join(base, 'file');
    writeFileSync(file, '');
    assert.throws(() => ensureStateDir(file), (err: unknown) => err instanceof StateDirError && /STATE_DIR_/.test(err.code));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
