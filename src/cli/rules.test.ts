import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, USAGE } from './rules.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-rules-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string[] }> {
  let out = '';
  const err: string[] = [];
  const code = await run(argv, { out: (t) => { out += t; }, err: (l) => err.push(l) });
  return { code, out, err };
}

const GOOD = file('good.conf', '[openSSH]\nsequence = 7000,8000,9000\nopen = tcp/22\n[cmd]\nsequence = 1,2\nstart_command = /bin/true\n');

test('each target prints its ruleset on stdout and exits 0', async () => {
  const nft = await cli(['-c', GOOD, '--target', 'nftables', '--door', 'openSSH']);
  assert.equal(nft.code, 0, nft.err.join('\n'));
  assert.match(nft.out, /^# Portcullis knock doors in the kernel, for nft -f/);
  assert.match(nft.out, /\ntable inet portcullis_rules \{\n/);
  const v4 = await cli(['-c', GOOD, '-t', 'iptables', '--door', 'openSSH']);
  assert.match(v4.out, /\n\*filter\n:PORTCULLIS-RULES - \[0:0\]\n/);
  assert.match(v4.out, /--name pcr4_openSSH_1 /);
  const v6 = await cli(['-c', GOOD, '--target=IP6TABLES', '--door', 'openSSH']);
  assert.match(v6.out, /--name pcr6_openSSH_1 /);
  assert.deepEqual([v4.err, v6.err], [[], []]);
});

test('a door the kernel cannot run: every problem on stderr, nothing on stdout, exit 1', async () => {
  const r = await cli(['-c', GOOD, '--target', 'nftables']);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.deepEqual(r.err, [
    `${GOOD}:4: [cmd]: has no open ports: kernel rules open ports for the knocker, they cannot run Start_Command; expected open = PROTO/PORT, e.g. open = tcp/22`,
    `${GOOD}: no rules printed; 1 problem(s) for kernel rules (the daemon can still run these doors)`,
  ]);
});

test('usage errors and an invalid config exit 1; --help exits 0', async () => {
  for (const argv of [['-c', GOOD], ['-c', GOOD, '--target', 'pf'], ['-c', GOOD, '-t', 'nftables', 'extra']]) {
    const r = await cli(argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.match(r.err[0]!, /^portcullis rules: (--target is required|unknown target 'pf'; expected iptables, ip6tables, nftables|unexpected argument 'extra')\n/);
  }
  const bad = file('bad.conf', '[d]\nsequence = 7000\nknock_max_gap = 3\n');
  const r = await cli(['-c', bad, '-t', 'nftables']);
  assert.equal(r.code, 1);
  assert.match(r.err[0]!, /bad\.conf:3: knock_max_gap: \[d\] has a single knock/);
  const help = await cli(['--help']);
  assert.deepEqual([help.code, help.out], [0, `${USAGE}\n`]);
});
