// `portcullis doctor` in the server namespace of a lab, each case in its own
// lab: a healthy self-contained setup with the daemon running exits 0; each
// deliberately broken setup fails (or warns) with the finding that names it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, labSkipReason, portcullis, startPortcullis, writeConfig, formatResult, type Lab } from './lab.js';
import type { Finding } from '../../src/doctor/findings.js';

const SKIP = labSkipReason(['nft']);

/** A config whose state and control socket live in the lab, so labs never meet. */
function configText(lab: Lab, extraOptions: readonly string[] = []): { text: string; stateDir: string; args: string[] } {
  const stateDir = join(lab.tmp, 'state');
  const socket = join(lab.tmp, 'control.sock');
  const text = [
    '[options]',
    `    StateDir      = ${stateDir}`,
    `    ControlSocket = ${socket}`,
    ...extraOptions.map((o) => `    ${o}`),
    '',
    '[openSSH]',
    '    sequence = 7000,8000',
    '    tcpflags = syn',
    '    open     = tcp/22',
    '',
  ].join('\n');
  // serve is given the same socket, whatever startPortcullis would pick.
  return { text, stateDir, args: ['--control-socket', socket] };
}

/** Runs doctor --json in the server namespace; the findings and the exit status. */
async function doctor(lab: Lab, file: string, iface = lab.server.iface): Promise<{ code: number | null; findings: Finding[]; raw: string }> {
  const r = await lab.exec('server', portcullis('doctor', '-c', file, '-i', iface, '--json'), { timeoutMs: 30_000 });
  let findings: Finding[];
  try {
    findings = JSON.parse(r.stdout) as Finding[];
  } catch {
    throw new Error(`doctor printed no JSON: ${formatResult(r)}`);
  }
  return { code: r.code, findings, raw: formatResult(r) };
}

function find(findings: readonly Finding[], code: string): Finding {
  const f = findings.find((x) => x.code === code);
  assert.ok(f, `no ${code} among ${findings.map((x) => `${x.code}:${x.status}`).join(', ')}`);
  return f;
}

const ADMIN_SETS = `
  set portcullis_grants4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }
  set portcullis_grants6 { type ipv6_addr . inet_proto . inet_service; flags timeout; }`;

/** The ban sets as the daemon declares them (src/firewall/nft-bans.ts). */
const BAN_SETS = `
  set portcullis_banned4 { type ipv4_addr; flags timeout; size 65536; }
  set portcullis_banned6 { type ipv6_addr; flags timeout; size 65536; }`;

describe('portcullis doctor', { skip: SKIP, concurrency: 3, timeout: 60_000 }, () => {
  test('healthy self-contained setup with the daemon running: every check ok, exit 0', async (t) => {
    const lab = await createLab('dochl');
    t.after(() => lab.destroy());
    const { text, stateDir, args } = configText(lab);
    mkdirSync(stateDir, { mode: 0o700 });
    const file = writeConfig(lab, text);
    chmodSync(file, 0o600);
    const daemon = await startPortcullis(lab, { config: text, configPath: file, stateDir, args });
    await daemon.waitForLine(/control socket listening on/, 10_000);
    chmodSync(file, 0o600);
    // Traffic for the capture check to see.
    lab.spawn('client', ['ping', '-i', '0.2', '-q', lab.server.ip4], 'ping');
    const r = await lab.exec('server', portcullis('doctor', '-c', file, '-i', lab.server.iface), { timeoutMs: 30_000 });
    assert.equal(r.code, 0, formatResult(r));
    assert.doesNotMatch(r.stdout, /^(FAIL|warn) /m, formatResult(r));
    for (const line of [
      new RegExp(`^ok {4}interface ${lab.server.iface}: exists and is up`),
      new RegExp(`^ok {4}capture ${lab.server.iface}: libpcap captures here`),
      /^ok {4}daemon \S+control\.sock: running \(pid \d+, this config\)/,
      /^ok {4}backend nftables: serve would use it: nft works on this host/,
      /^ok {4}protect tcp\/22 \(openSSH\): closed to sources without a grant: inet portcullis input/,
      /^ok {4}grant tcp\/22 \(openSSH\): a knock opens it/,
      /^ok {4}established tcp\/22 \(openSSH\)/,
      /^ok {4}ban tcp\/22 \(openSSH\): a banned source is dropped, even with a grant, by inet portcullis input$/,
      /^doctor: nothing wrong found$/,
    ]) assert.match(r.stdout, new RegExp(line.source, 'm'));
  });

  test("an administrator's policy-drop input chain shadows the grant: FAIL, a knock would open nothing", async (t) => {
    const lab = await createLab('docsh');
    t.after(() => lab.destroy());
    await lab.nftSetup('server', 'table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n');
    const { text, stateDir, args } = configText(lab);
    const file = writeConfig(lab, text);
    await startPortcullis(lab, { config: text, configPath: file, stateDir, args });
    const d = await doctor(lab, file);
    assert.equal(d.code, 1, d.raw);
    assert.equal(find(d.findings, 'PORT_PROTECTED').status, 'ok');
    const s = find(d.findings, 'GRANT_SHADOWED');
    assert.equal(s.status, 'fail');
    assert.equal(s.where, 'inet filter input');
    assert.match(s.message, /a knock would open nothing: inet filter input \(policy drop\)/);
    assert.match(s.fix!, /^nft insert rule inet filter input tcp dport 22 accept/);
  });

  test('integrated deployment whose chain lacks the @portcullis_grants4 rule: FAIL', async (t) => {
    const lab = await createLab('docin');
    t.after(() => lab.destroy());
    await lab.nftSetup('server', `table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ct state established,related accept\n  }\n}\n`);
    const { text, stateDir, args } = configText(lab, ['nft_table = inet filter']);
    const file = writeConfig(lab, text);
    await startPortcullis(lab, { config: text, configPath: file, stateDir, args });
    const d = await doctor(lab, file);
    assert.equal(d.code, 1, d.raw);
    const g = d.findings.filter((f) => f.code === 'GRANTS_NOT_REFERENCED');
    assert.deepEqual(g.map((f) => [f.status, f.fix]), [
      ['fail', 'nft insert rule inet filter input ip saddr . meta l4proto . th dport @portcullis_grants4 accept'],
      ['fail', 'nft insert rule inet filter input ip6 saddr . meta l4proto . th dport @portcullis_grants6 accept'],
    ]);
    assert.equal(find(d.findings, 'ESTABLISHED_OK').status, 'ok');
  });

  test('integrated deployment without an established/related accept: warn, exit 0', async (t) => {
    const lab = await createLab('doces');
    t.after(() => lab.destroy());
    await lab.nftSetup('server', `table inet filter {${ADMIN_SETS}${BAN_SETS}\n  chain input {\n    type filter hook input priority 0; policy drop;\n`
      + '    ip saddr @portcullis_banned4 drop\n    ip6 saddr @portcullis_banned6 drop\n'
      + '    ip saddr . meta l4proto . th dport @portcullis_grants4 accept\n    ip6 saddr . meta l4proto . th dport @portcullis_grants6 accept\n  }\n}\n');
    const { text } = configText(lab, ['nft_table = inet filter']);
    const file = writeConfig(lab, text);
    const d = await doctor(lab, file);
    assert.equal(d.code, 0, d.raw);
    assert.equal(find(d.findings, 'GRANT_OPENS').status, 'ok');
    const e = find(d.findings, 'NO_ESTABLISHED');
    assert.equal(e.status, 'warn');
    assert.equal(e.fix, 'nft insert rule inet filter input ct state established,related accept');
    assert.equal(find(d.findings, 'BANS_DROPPED').status, 'ok');
  });

  test('integrated deployment without the drop of @portcullis_banned4/6: FAIL; with the drop doctor names: healthy', async (t) => {
    const lab = await createLab('drban');
    t.after(() => lab.destroy());
    await lab.nftSetup('server', `table inet filter {${ADMIN_SETS}${BAN_SETS}\n  chain input {\n    type filter hook input priority 0; policy drop;\n`
      + '    ct state established,related accept\n'
      + '    ip saddr . meta l4proto . th dport @portcullis_grants4 accept\n    ip6 saddr . meta l4proto . th dport @portcullis_grants6 accept\n  }\n}\n');
    const { text, stateDir, args } = configText(lab, ['nft_table = inet filter']);
    const file = writeConfig(lab, text);
    const daemon = await startPortcullis(lab, { config: text, configPath: file, stateDir, args });
    await daemon.waitForLine(/control socket listening on/, 10_000);
    const before = await doctor(lab, file);
    assert.equal(before.code, 1, before.raw);
    assert.equal(find(before.findings, 'GRANT_OPENS').status, 'ok');
    const missing = before.findings.filter((f) => f.code === 'BANS_NOT_REFERENCED');
    assert.deepEqual(missing.map((f) => f.status), ['fail', 'fail'], before.raw);
    // Apply the fixes exactly as doctor words them (an argument array, no shell).
    for (const f of missing) {
      const m = /^(nft insert rule inet filter input position \d+ ip6? saddr @portcullis_banned[46] drop) \(before the grant accept\)$/.exec(f.fix!);
      assert.ok(m, `unexpected fix: ${f.fix}`);
      await lab.mustExec('server', m[1]!.split(' '));
    }
    const after = await doctor(lab, file);
    assert.ok(!after.findings.some((f) => f.status === 'fail'), after.raw);
    assert.equal(after.code, 0, after.raw);
    const ok = find(after.findings, 'BANS_DROPPED');
    assert.equal(ok.status, 'ok');
    assert.equal(ok.where, 'inet filter input');
  });

  test('a missing interface: FAIL, naming the interfaces there are', async (t) => {
    const lab = await createLab('docif');
    t.after(() => lab.destroy());
    const file = writeConfig(lab, configText(lab).text);
    const d = await doctor(lab, file, 'nosuch0');
    assert.equal(d.code, 1, d.raw);
    const i = find(d.findings, 'INTERFACE_MISSING');
    assert.equal(i.subject, 'nosuch0');
    assert.match(i.fix!, new RegExp(`this host has: .*${lab.server.iface}`));
    assert.ok(!d.findings.some((f) => f.check === 'capture'), 'no capture on an interface that is not there');
  });

  test('a world-readable config warns; a world-writable state directory fails', async (t) => {
    const lab = await createLab('docfi');
    t.after(() => lab.destroy());
    const { text, stateDir } = configText(lab);
    const file = writeConfig(lab, text);
    chmodSync(file, 0o644);
    mkdirSync(stateDir);
    chmodSync(stateDir, 0o777);
    const d = await doctor(lab, file);
    assert.equal(d.code, 1, d.raw);
    const files = d.findings.filter((f) => f.check === 'files').map((f) => [f.subject, f.code, f.status, f.fix]);
    assert.deepEqual(files, [
      [file, 'FILE_READABLE', 'warn', `chmod 600 ${file}`],
      [stateDir, 'FILE_WRITABLE', 'fail', `chmod 700 ${stateDir}`],
    ]);
    assert.equal(find(d.findings, 'NOT_PROTECTED_YET').status, 'warn', 'no daemon: the port is not protected yet');
  });
});
