import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from './config-file.js';

const KEY = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const HMAC = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';

function files(map: Record<string, string>): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cf-'));
  for (const [name, text] of Object.entries(map)) writeFileSync(join(dir, name), text);
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('--fwknop-access: the stanzas become SPA doors next to the config\'s own doors', () => {
  const f = files({
    'knockd.conf': '[openSSH]\n    sequence = 7000,8000\n    open = tcp/22\n',
    'access.conf': `SOURCE ANY\nKEY_BASE64 ${KEY}\nHMAC_KEY_BASE64 ${HMAC}\nOPEN_PORTS tcp/22, udp/1194;\nREQUIRE_SOURCE_ADDRESS Y\n`,
  });
  try {
    const r = loadConfigFile(join(f.dir, 'knockd.conf'), join(f.dir, 'access.conf'));
    assert.ok(r.ok, r.ok ? '' : r.messages.join('\n'));
    assert.deepEqual(r.config.doors.map((d) => [d.name, d.spa !== undefined]), [['openSSH', false], ['fwknop-1', true]]);
    assert.deepEqual(r.config.doors[1]!.spa!.openPorts, [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }]);
  } finally {
    f.done();
  }
});

test('--fwknop-access: errors name the access.conf line and keyword', () => {
  const f = files({ 'knockd.conf': '', 'access.conf': `SOURCE ANY\nKEY_BASE64 ${KEY}\nOPEN_PORTS tcp/22\nCMD_CYCLE_OPEN /bin/true\n` });
  try {
    const r = loadConfigFile(join(f.dir, 'knockd.conf'), join(f.dir, 'access.conf'));
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.messages.join('\n'), new RegExp(`^${join(f.dir, 'access.conf').replace(/[.]/g, '\\.')}:4: CMD_CYCLE_OPEN: `, 'm'));
    const missing = loadConfigFile(join(f.dir, 'knockd.conf'), join(f.dir, 'nope.conf'));
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.messages[0]!, /nope\.conf: cannot read the fwknop access file/);
  } finally {
    f.done();
  }
});
