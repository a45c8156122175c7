import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '../log/memory-logger.js';
import { fetchStatus } from './client.js';
import { startControlSocket } from './service.js';
import type { ControlHandler, StatusReport } from './types.js';

const handler: ControlHandler = {
  status: () => ({ version: 'x' }) as unknown as StatusReport,
  revoke: async () => 0,
  reload: () => ({ ok: true, doors: 0 }),
};

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pc-service-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('startControlSocket', () => {
  it('listens, says where, and removes the socket on close', async (t) => {
    const path = join(tempDir(t), 'control.sock');
    const log = new MemoryLogger();
    const control = startControlSocket(path, handler, log);
    await control.ready;
    assert.deepEqual(log.messages(), [`control socket listening on ${path}`]);
    assert.deepEqual(await fetchStatus(path), { version: 'x' });
    await control.close();
    assert.equal(existsSync(path), false);
  });

  it('logs one warning saying why, and otherwise does nothing, when the socket cannot be made', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'not-a-dir'), '');
    const path = join(dir, 'not-a-dir', 'control.sock');
    const log = new MemoryLogger();
    const control = startControlSocket(path, handler, log);
    await control.ready;
    assert.equal(log.entries.length, 1);
    assert.equal(log.entries[0]!.level, 'warn');
    assert.match(log.entries[0]!.msg, /^control socket unavailable \(status, revoke and reload will not work; the doors are guarded as usual\): cannot create the control socket .*not-a-dir\/control\.sock: .*not-a-dir is not a directory$/);
    await control.close();
    await control.close();
  });

  it('can be closed before it is ready', async (t) => {
    const path = join(tempDir(t), 'control.sock');
    const control = startControlSocket(path, handler, new MemoryLogger());
    await control.close();
    assert.equal(existsSync(path), false);
  });
});
