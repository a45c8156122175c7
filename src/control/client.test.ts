import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectError, request } from './client.js';
import type { ControlError } from './errors.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pc-client-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function fakeDaemon(t: TestContext, path: string, onConnection: (c: Socket) => void): Promise<Server> {
  const open = new Set<Socket>();
  const s = createServer({ allowHalfOpen: true }, (c) => {
    open.add(c);
    c.on('error', () => undefined);
    onConnection(c);
  });
  await new Promise<void>((r) => s.listen(path, r));
  t.after(() => new Promise<void>((r) => {
    s.close(() => r());
    for (const c of open) c.destroy();
  }));
  return s;
}

const code = (c: string) => (err: ControlError) => err.code === c;

describe('control client', () => {
  it('says no daemon is listening when the socket is missing', async (t) => {
    const path = join(tempDir(t), 'control.sock');
    await assert.rejects(request(path, { op: 'status' }), (err: ControlError) =>
      err.code === 'CONTROL_NOT_RUNNING' && err.message === `no daemon is listening on ${path} (is portcullis serve running?)`);
  });

  it('says the same for a stale socket nobody listens on', async (t) => {
    const dir = tempDir(t);
    const s = createServer();
    await new Promise<void>((r) => s.listen(join(dir, 'a.sock'), r));
    renameSync(join(dir, 'a.sock'), join(dir, 'control.sock'));
    await new Promise((r) => s.close(r));
    await assert.rejects(request(join(dir, 'control.sock'), { op: 'status' }), code('CONTROL_NOT_RUNNING'));
  });

  it('maps permission errors to "root-only, run as root"', () => {
    for (const errno of ['EACCES', 'EPERM']) {
      const err = connectError('/run/portcullis/control.sock', Object.assign(new Error(errno), { code: errno }));
      assert.equal(err.code, 'CONTROL_PERMISSION');
      assert.match(err.message, /root-only \(mode 0600\); run this as root/);
    }
    assert.equal(connectError('/x', Object.assign(new Error('x'), { code: 'ENOTDIR' })).code, 'CONTROL_NOT_RUNNING');
    assert.equal(connectError('/x', Object.assign(new Error('odd'), { code: 'EIO' })).code, 'CONTROL_CONNECT');
  });

  it('sends one request line and ends its side', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    let got = '';
    await fakeDaemon(t, path, (c) => {
      c.setEncoding('utf8').on('data', (s: string) => (got += s));
      c.on('end', () => c.end('{"ok":true,"revoked":4}\n'));
    });
    assert.deepEqual(await request(path, { op: 'revoke', address: '2001:db8::1' }), { ok: true, revoked: 4 });
    assert.equal(got, 'revoke 2001:db8::1\n');
  });

  it('gives up after its timeout when the daemon does not answer', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    await fakeDaemon(t, path, () => undefined);
    await assert.rejects(request(path, { op: 'status' }, { timeoutMs: 100 }), (err: ControlError) =>
      err.code === 'CONTROL_TIMEOUT' && err.message.includes('within 0.1 s'));
  });

  it('reports a reply it cannot read, or none at all', async (t) => {
    const dir = tempDir(t);
    await fakeDaemon(t, join(dir, 'garbage.sock'), (c) => c.end('hello\n'));
    await assert.rejects(request(join(dir, 'garbage.sock'), { op: 'status' }), code('CONTROL_BAD_RESPONSE'));
    await fakeDaemon(t, join(dir, 'silent.sock'), (c) => c.end());
    await assert.rejects(request(join(dir, 'silent.sock'), { op: 'status' }), (err: ControlError) =>
      err.code === 'CONTROL_BAD_RESPONSE' && /closed the connection without answering/.test(err.message));
  });

  it('raises the daemon\'s error with its code and details', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    await fakeDaemon(t, path, (c) => c.end('{"ok":false,"error":{"code":"CONFIG_INVALID","message":"bad","details":["f:2: x"]}}\n'));
    await assert.rejects(request(path, { op: 'reload' }), (err: ControlError) =>
      err.code === 'CONFIG_INVALID' && err.message === 'bad' && err.details[0] === 'f:2: x');
  });
});
