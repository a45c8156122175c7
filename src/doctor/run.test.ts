// A whole doctor run against a scripted host: the order of the checks, what
// is run (read-only programs only), and the exit status they add up to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/parse.js';
import { RecordingToolRunner, type RecordedCall, type ToolResult } from '../firewall/tool.js';
import { exitStatus } from './findings.js';
import { runDoctor, type DoctorEnv } from './run.js';
import * as own from './fixtures/own.js';
import * as ownPolicyDrop from './fixtures/own-admin-policy-drop.js';

const CONFIG = `[options]
    StateDir = /var/lib/portcullis
[openSSH]
    sequence = 7000,8000
    open = tcp/22
`;

function env(ruleset: string, over: Partial<DoctorEnv> = {}): DoctorEnv & { readonly runner: RecordingToolRunner } {
  const runner = new RecordingToolRunner();
  runner.respond = (c: RecordedCall): ToolResult => {
    const line = [c.file, ...c.args].join(' ');
    if (line === 'nft list tables') return { code: 0, stdout: 'table inet portcullis\n', stderr: '' };
    if (line === 'nft -j list ruleset') return { code: 0, stdout: ruleset, stderr: '' };
    return { code: null, stdout: '', stderr: '', error: `cannot run ${c.file}: spawn ${c.file} ENOENT` };
  };
  return {
    uid: 0, processEnv: {},
    load: (path) => ({ ok: true, config: parseConfig(CONFIG, path, { readFile: () => undefined }) }),
    link: (i) => (i === 'eth0' ? { exists: true, operstate: 'up', flags: 0x1003 } : { exists: false }),
    links: () => ['eth0', 'lo'],
    defaultRoute: () => 'eth0',
    canCapture: () => true,
    capture: async () => ({ kind: 'packet', ms: 5 }),
    addresses: () => ['198.51.100.1'],
    stat: (p) => (p === '/etc/knockd.conf' ? { kind: 'file', mode: 0o100600, uid: 0 } : p === '/var/lib/portcullis' ? { kind: 'directory', mode: 0o40700, uid: 0 } : { kind: 'missing' }),
    daemon: async () => ({ running: true, pid: 42, config: '/etc/knockd.conf' }),
    ...over,
    runner,
  };
}

const REQ = { configPath: '/etc/knockd.conf', interfaces: [] };

describe('runDoctor', () => {
  it('a healthy host: every check ok, in order, exit 0, only read-only programs run', async () => {
    const e = env(own.json);
    const f = await runDoctor(REQ, e);
    assert.deepEqual(f.map((x) => `${x.check} ${x.status}`), [
      'config ok', 'interface ok', 'capture ok', 'daemon ok', 'backend ok', 'backend ok',
      'protect ok', 'grant ok', 'established ok', 'ban ok', 'managers ok', 'files ok', 'files ok',
    ]);
    assert.equal(f[1]!.subject, 'eth0', 'the default-route interface, as serve picks it');
    assert.equal(exitStatus(f), 0);
    assert.deepEqual(e.runner.lines().filter((l) => !/^(iptables|ip6tables)-(legacy|nft)?-?save$|^ufw status$|^firewall-cmd --state$/.test(l)), ['nft list tables', 'nft -j list ruleset']);
  });

  it('a shadowing admin chain, a missing interface and no capture permission: exit 1 with each finding', async () => {
    const f = await runDoctor({ ...REQ, interfaces: ['eth0,eth9'] }, env(ownPolicyDrop.json, { canCapture: () => false }));
    const bad = f.filter((x) => x.status === 'fail').map((x) => `${x.code} ${x.subject}`);
    assert.deepEqual(bad, ['CAPTURE_PERMISSION eth0', 'INTERFACE_MISSING eth9', 'GRANT_SHADOWED tcp/22 (openSSH)']);
    assert.equal(exitStatus(f), 1);
  });

  it('an invalid config: its errors and nothing else', async () => {
    const f = await runDoctor(REQ, env(own.json, { load: () => ({ ok: false, messages: ['/etc/knockd.conf:3: sequence: port 0 …'] }) }));
    assert.deepEqual(f.map((x) => [x.code, x.status]), [['CONFIG_INVALID', 'fail']]);
    assert.deepEqual(f[0]!.detail, ['/etc/knockd.conf:3: sequence: port 0 …']);
  });

  it('a daemon running another config: a warning', async () => {
    const f = await runDoctor(REQ, env(own.json, { daemon: async () => ({ running: true, pid: 7, config: '/etc/other.conf' }) }));
    assert.equal(f.find((x) => x.code === 'DAEMON_OTHER_CONFIG')!.status, 'warn');
  });
});
