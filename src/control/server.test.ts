import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortcullisError } from '../errors.js';
import { fetchStatus, reload, request, revoke } from './client.js';
import { ControlError } from './errors.js';
import { parseReply } from './protocol.js';
import { ControlServer, type ControlLimits } from './server.js';
import type { ControlHandler, ReloadOutcome, StatusReport } from './types.js';

const REPORT = { version: 'test', pid: 1, now: 0, startedAt: 0, config: '/c', doors: [], grants: [] } as unknown as StatusReport;

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pc-control-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

class FakeHandler implements ControlHandler {
  revoked: Array<string | undefined> = [];
  reloadOutcome: ReloadOutcome = { ok: true, doors: 2 };
  statusGate: Promise<void> | undefined;
  failWith: Error | undefined;

  async status(): Promise<StatusReport> {
    if (this.failWith) throw this.failWith;
    await this.statusGate;
    return REPORT;
  }

  async revoke(address: string | undefined): Promise<number> {
    this.revoked.push(address);
    return address === undefined ? 3 : 1;
  }

  reload(): ReloadOutcome {
    return this.reloadOutcome;
  }
}

async function serve(t: TestContext, path: string, handler: ControlHandler = new FakeHandler(), limits: Partial<ControlLimits> = {}) {
  const server = await ControlServer.listen(path, handler, limits);
  t.after(() => server.close());
  return server;
}

/** Sends raw bytes (ending our side unless `keepOpen`), resolves with everything the daemon sent before closing. */
function raw(path: string, data: string | Buffer, keepOpen = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(path);
    let got = '';
    conn.on('connect', () => (keepOpen ? conn.write(data) : conn.end(data)));
    conn.setEncoding('utf8').on('data', (s: string) => (got += s));
    conn.on('end', () => { conn.destroy(); resolve(got); });
    conn.on('error', reject);
  });
}

function errorCode(replyText: string): string | undefined {
  const r = parseReply(replyText.trimEnd());
  return r.ok ? undefined : r.error.code;
}

function listenPlain(path: string): Promise<Server> {
  const s = createServer((c) => {
    c.on('error', () => undefined);
    c.end('{"ok":true,"doors":99}\n');
  });
  return new Promise((resolve) => s.listen(path, () => resolve(s)));
}

describe('ControlServer', () => {
  it('creates a socket of mode 0600, also in an existing world-writable directory', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'control.sock');
    await serve(t, path);
    const st = statSync(path);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
  });

  it('creates missing parent directories with mode 0700', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'run', 'portcullis', 'control.sock');
    await serve(t, path);
    assert.equal(statSync(join(dir, 'run', 'portcullis')).mode & 0o777, 0o700);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('answers status, revoke and reload through the client', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    const handler = new FakeHandler();
    await serve(t, path, handler);
    assert.deepEqual(await fetchStatus(path), REPORT);
    assert.equal(await revoke(path, '192.0.2.7'), 1);
    assert.equal(await revoke(path, undefined), 3);
    assert.deepEqual(handler.revoked, ['192.0.2.7', undefined]);
    assert.equal(await reload(path), 2);
  });

  it('sends config errors of a refused reload as CONFIG_INVALID with details', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    const handler = new FakeHandler();
    handler.reloadOutcome = { ok: false, errors: ['/etc/k.conf:3: sequence: "abc" is not a port number'] };
    await serve(t, path, handler);
    await assert.rejects(reload(path), (err: ControlError) =>
      err.code === 'CONFIG_INVALID' && err.details.length === 1 && err.details[0]!.startsWith('/etc/k.conf:3:'));
  });

  it('passes on the handler errors: ours with their code, others as CONTROL_INTERNAL', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    const handler = new FakeHandler();
    await serve(t, path, handler);
    handler.failWith = new PortcullisError('SOMETHING', 'went wrong');
    await assert.rejects(fetchStatus(path), (err: ControlError) => err.code === 'SOMETHING' && err.message === 'went wrong');
    handler.failWith = new Error('boom');
    await assert.rejects(fetchStatus(path), (err: ControlError) => err.code === 'CONTROL_INTERNAL');
    handler.failWith = undefined;
    assert.deepEqual(await fetchStatus(path), REPORT, 'still serving');
  });

  it('answers bad requests with an error and keeps serving', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    await serve(t, path);
    assert.equal(errorCode(await raw(path, 'hello\n')), 'CONTROL_UNKNOWN_COMMAND');
    assert.equal(errorCode(await raw(path, 'revoke 999.1.1.1\n')), 'CONTROL_BAD_ADDRESS');
    assert.equal(errorCode(await raw(path, '\n')), 'CONTROL_BAD_REQUEST');
    assert.equal(errorCode(await raw(path, '')), 'CONTROL_BAD_REQUEST', 'connected and closed without a word');
    assert.equal(errorCode(await raw(path, Buffer.from([0xff, 0xfe, 0x0a]))), 'CONTROL_BAD_REQUEST');
    assert.equal(errorCode(await raw(path, 'status')), undefined, 'end of input ends the line');
    assert.equal(errorCode(await raw(path, 'status\r\n')), undefined);
    assert.deepEqual(await fetchStatus(path), REPORT);
  });

  it('refuses a line over 1024 bytes, and takes one of exactly 1024', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    await serve(t, path);
    assert.equal(errorCode(await raw(path, `status${' '.repeat(1018)}\n`)), undefined);
    assert.equal(errorCode(await raw(path, `status${' '.repeat(1019)}\n`)), 'CONTROL_REQUEST_TOO_LONG');
    // Never a newline: refused as soon as the bound is passed, without waiting for more.
    assert.equal(errorCode(await raw(path, 'x'.repeat(64 * 1024), true)), 'CONTROL_REQUEST_TOO_LONG');
  });

  it('closes a connection that sends no full line within the idle time', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    await serve(t, path, new FakeHandler(), { idleMs: 100 });
    const started = Date.now();
    assert.equal(errorCode(await raw(path, 'stat', true)), 'CONTROL_TIMEOUT');
    assert.ok(Date.now() - started < 2000);
  });

  it('answers CONTROL_TIMEOUT when the handler does not finish in time', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    const handler = new FakeHandler();
    handler.statusGate = new Promise(() => undefined);
    await serve(t, path, handler, { replyMs: 100 });
    await assert.rejects(fetchStatus(path), (err: ControlError) => err.code === 'CONTROL_TIMEOUT');
  });

  it('serves concurrent clients, and answers CONTROL_BUSY beyond the connection limit', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    const handler = new FakeHandler();
    await serve(t, path, handler, { maxConnections: 3 });
    let open!: () => void;
    handler.statusGate = new Promise((r) => { open = r; });
    const slow = [fetchStatus(path), fetchStatus(path), fetchStatus(path)];
    await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(fetchStatus(path), (err: ControlError) => err.code === 'CONTROL_BUSY');
    open();
    for (const report of await Promise.all(slow)) assert.deepEqual(report, REPORT);
    // The slots are free again.
    const many = await Promise.all(Array.from({ length: 3 }, () => revoke(path, '192.0.2.1')));
    assert.deepEqual(many, [1, 1, 1]);
  });

  it('survives clients that send garbage and vanish at any point', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    await serve(t, path, new FakeHandler(), { maxConnections: 8 });
    const { randomBytes, randomInt } = await import('node:crypto');
    await Promise.all(Array.from({ length: 60 }, (_, i) => new Promise<void>((resolve) => {
      const conn = createConnection(path);
      conn.resume();
      conn.on('error', () => resolve());
      conn.on('close', () => resolve());
      conn.on('connect', () => {
        const kind = i % 4;
        if (kind === 0) conn.destroy();
        else if (kind === 1) conn.end(randomBytes(randomInt(1, 3000)));
        else if (kind === 2) { conn.write('status\n'); conn.destroy(); }
        else { conn.write(randomBytes(100)); setTimeout(() => conn.destroy(), randomInt(0, 20)); }
      });
    })));
    assert.deepEqual(await fetchStatus(path), REPORT);
  });

  it('replaces a stale socket left by a dead daemon', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'c.sock');
    // A socket file nobody listens on: bound elsewhere, moved here, then its server closed.
    const old = await listenPlain(join(dir, 'old.sock'));
    renameSync(join(dir, 'old.sock'), path);
    await new Promise((r) => old.close(r));
    assert.ok(lstatSync(path).isSocket());
    await serve(t, path);
    assert.deepEqual(await fetchStatus(path), REPORT);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('refuses to take over a socket a live process answers on', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    const live = await listenPlain(path);
    t.after(() => live.close());
    await assert.rejects(ControlServer.listen(path, new FakeHandler()), (err: ControlError) => err.code === 'CONTROL_SOCKET_IN_USE');
    assert.equal(await reload(path), 99, 'the live one still answers');
  });

  it('never replaces a file that is not a socket', async (t) => {
    const path = join(tempDir(t), 'c.sock');
    writeFileSync(path, 'precious');
    await assert.rejects(ControlServer.listen(path, new FakeHandler()), (err: ControlError) => err.code === 'CONTROL_SOCKET_NOT_A_SOCKET');
    assert.equal(readFileSync(path, 'utf8'), 'precious');
  });

  it('fails with CONTROL_SOCKET_CREATE when the directory cannot be made', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'file'), '');
    await assert.rejects(ControlServer.listen(join(dir, 'file', 'c.sock'), new FakeHandler()), (err: ControlError) => err.code === 'CONTROL_SOCKET_CREATE');
  });

  it('removes its socket on close, but not one that replaced it', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'c.sock');
    const first = await ControlServer.listen(path, new FakeHandler());
    await first.close();
    assert.equal(existsSync(path), false);
    await assert.rejects(request(path, { op: 'status' }), (err: ControlError) => err.code === 'CONTROL_NOT_RUNNING');

    const second = await ControlServer.listen(path, new FakeHandler());
    // Someone else's socket now sits at the path (as if a newer daemon had taken over).
    const other = await listenPlain(join(dir, 'other.sock'));
    t.after(() => other.close());
    renameSync(join(dir, 'other.sock'), path);
    await second.close();
    assert.ok(lstatSync(path).isSocket(), 'the other socket is left alone');
    assert.equal(await reload(path), 99);
  });

  it('leaves no staging directory behind', async (t) => {
    const dir = tempDir(t);
    await serve(t, join(dir, 'c.sock'));
    assert.deepEqual(readdirSync(dir), ['c.sock']);
  });
});
