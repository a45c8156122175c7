// What the package ships from contrib/, checked without root or systemd
// (test/e2e/package.test.ts installs and verifies the real thing): the default
// config has no active door and its commented examples are valid doors; the
// unit keeps the privileges and hardening the docs promise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../config/parse.js';

const contrib = (name: string): string => readFileSync(new URL(`../../../../contrib/${name}`, import.meta.url), 'utf8');
const noFiles = { readFile: () => undefined };

test('the default config is valid and has no active door', () => {
  const config = parseConfig(contrib('portcullis.conf'), '/etc/portcullis/portcullis.conf', noFiles);
  assert.equal(config.doors.length, 0);
});

test('the default config\'s commented examples are valid when uncommented', () => {
  const keys = ['key_base64 = cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=', 'hmac_key_base64 = lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg=='];
  const text = contrib('portcullis.conf').split('\n').map((line) => {
    // `#[door]` and `#    key = value` are the examples; other comments are prose.
    const example = /^#(\[.*\]|\s{4}\w.*)$/.exec(line);
    if (!example) return line;
    const body = example[1]!;
    if (/^\s*key_base64\s*=/.test(body)) return `    ${keys[0]}`;
    if (/^\s*hmac_key_base64\s*=/.test(body)) return `    ${keys[1]}`;
    return body;
  }).join('\n');
  const config = parseConfig(text, '/etc/portcullis/portcullis.conf', noFiles);
  assert.deepEqual(config.doors.map((d) => d.name), ['openSSH', 'closeSSH', 'ssh-spa']);
});

test('the unit runs serve as portcullis with exactly CAP_NET_RAW and CAP_NET_ADMIN, hardened', () => {
  const settings = new Map<string, string[]>();
  for (const line of contrib('portcullis.service').split('\n')) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv) settings.set(kv[1]!, [...(settings.get(kv[1]!) ?? []), kv[2]!]);
  }
  const one = (key: string) => settings.get(key)?.join(' ');
  assert.equal(one('ExecStart'), '/usr/bin/portcullis serve -c /etc/portcullis/portcullis.conf');
  assert.equal(one('ExecReload'), '/bin/kill -HUP $MAINPID');
  assert.equal(one('Restart'), 'on-failure');
  assert.equal(one('User'), 'portcullis');
  assert.equal(one('AmbientCapabilities'), 'CAP_NET_RAW CAP_NET_ADMIN');
  assert.equal(one('CapabilityBoundingSet'), 'CAP_NET_RAW CAP_NET_ADMIN');
  for (const [key, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'],
    ['StateDirectory', 'portcullis'], ['RuntimeDirectory', 'portcullis'], ['ProtectKernelTunables', 'yes'], ['ProtectKernelModules', 'yes']]) {
    assert.equal(one(key!), value, key);
  }
  // Capture, netlink (nft, addresses), the control socket, SPA sockets; nothing else.
  assert.deepEqual(one('RestrictAddressFamilies')!.split(' ').sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_PACKET', 'AF_UNIX']);
  assert.match(one('SystemCallFilter')!, /^@system-service ~@privileged/);
  assert.equal(settings.get('MemoryDenyWriteExecute'), undefined, 'V8 needs writable executable memory');
  assert.match(one('ReadWritePaths')!, /\/run\/xtables\.lock/);
});
