// Owner and mode of the config, one-time sequence files and state directory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { judgeFile, type FileToCheck } from './files.js';

const file = (mode: number, uid = 0, role: FileToCheck['role'] = 'config'): FileToCheck => ({
  path: '/etc/knockd.conf', role, facts: { kind: role === 'state directory' ? 'directory' : 'file', mode, uid },
});

describe('judgeFile', () => {
  it('0600 root: ok', () => {
    assert.deepEqual([judgeFile(file(0o100600), 0).code, judgeFile(file(0o100600), 0).status], ['FILE_OK', 'ok']);
  });

  it('world-readable config (knockd ships 0644): warn, chmod 600', () => {
    const f = judgeFile(file(0o100644), 0);
    assert.deepEqual([f.code, f.status, f.fix], ['FILE_READABLE', 'warn', 'chmod 600 /etc/knockd.conf']);
    assert.match(f.message, /knock sequences/);
  });

  it('group- or world-writable: fail (its commands run as root)', () => {
    assert.equal(judgeFile(file(0o100664), 0).status, 'fail');
    const f = judgeFile(file(0o100666), 0);
    assert.deepEqual([f.code, f.status], ['FILE_WRITABLE', 'fail']);
    assert.match(f.message, /writable by every user/);
  });

  it("owned by another user: fail with chown; owned by the running user: fine", () => {
    const f = judgeFile(file(0o100600, 1000), 0);
    assert.deepEqual([f.code, f.status, f.fix], ['FILE_OWNER', 'fail', 'chown root:root /etc/knockd.conf && chmod 600 /etc/knockd.conf']);
    assert.equal(judgeFile(file(0o100600, 1000), 1000).status, 'ok');
    // The packaged unit's user owns the state directory; doctor runs as root.
    assert.equal(judgeFile(file(0o40700, 998, 'state directory'), 0, 998).status, 'ok');
    assert.equal(judgeFile(file(0o40700, 1000, 'state directory'), 0, 998).status, 'fail');
  });

  it('state directory: 0755 warn, 0777 fail (chmod 700), missing ok', () => {
    assert.deepEqual([judgeFile(file(0o40755, 0, 'state directory'), 0).status, judgeFile(file(0o40755, 0, 'state directory'), 0).fix], ['warn', 'chmod 700 /etc/knockd.conf']);
    assert.equal(judgeFile(file(0o40777, 0, 'state directory'), 0).status, 'fail');
    assert.equal(judgeFile({ path: '/var/lib/portcullis', role: 'state directory', facts: { kind: 'missing' } }, 0).status, 'ok');
  });

  it('a missing one-time sequence file: fail', () => {
    assert.equal(judgeFile({ path: '/etc/ots', role: 'one-time sequences', facts: { kind: 'missing' } }, 0).status, 'fail');
  });
});
