// `portcullis serve` as the packaged unit runs it: not root, but a throw-away
// uid with exactly CAP_NET_RAW and CAP_NET_ADMIN (ambient, so nft and iptables
// children get them too), an empty bounding set otherwise, no_new_privs, and a
// state directory and control socket owned by that uid. setpriv gives the
// process what contrib/portcullis.service's User=, AmbientCapabilities=,
// CapabilityBoundingSet= and NoNewPrivileges= give it. A knock door (nftables,
// iptables-nft, iptables-legacy) and an SPA door must open for the knocker
// only and close on time, and knockd-style commands running nft must work.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createLab, labConfig, labRuleset, labSkipReason, portcullis, portcullisKnock, waitFor, LAB_TABLE, REPO_ROOT, type Lab, type LabProcess } from './lab.js';
import { readableCopy, type ReadableCopy } from '../../src/util/readable-copy.js';

const OPEN_SECONDS = 3;
/** CAP_NET_ADMIN (12) and CAP_NET_RAW (13). */
const NET_CAPS = (1n << 12n) | (1n << 13n);
const KEY = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const HMAC = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';

/** A uid (and gid) no account uses: the throw-away user, with no passwd entry to clean up. */
function freeId(): number {
  for (;;) {
    const id = randomInt(61_000, 64_000);
    const used = (db: string) => spawnSync('getent', [db, String(id)]).status === 0;
    if (!used('passwd') && !used('group')) return id;
  }
}

const CAPS = '-all,+net_raw,+net_admin';
/** The program as the throw-away uid runs it: a copy it can read (the checkout may sit below a 0700 folder). */
let copy: ReadableCopy | undefined;
after(() => copy?.remove());
function program(): string {
  copy ??= readableCopy();
  return copy.bin;
}
/** `portcullis ...` from that copy. */
function portcullisCopy(...args: string[]): string[] {
  return [process.execPath, program(), ...args];
}
/** The unit's privileges, for argv run inside the lab. */
function unprivileged(id: number, argv: readonly string[]): string[] {
  return ['setpriv', '--reuid', String(id), '--regid', String(id), '--clear-groups',
    `--inh-caps=${CAPS}`, `--ambient-caps=${CAPS}`, `--bounding-set=${CAPS}`, '--no-new-privs', '--', ...argv];
}

interface Service {
  readonly daemon: LabProcess;
  readonly dir: string;
  readonly socket: string;
  readonly id: number;
}

/** serve as the throw-away uid; `path` puts a folder first on PATH (iptables-legacy). */
async function startService(lab: Lab, config: string, path?: string, id = freeId()): Promise<Service> {
  chmodSync(lab.tmp, 0o711); // the uid must reach its folder inside the lab's (root-only) temporary folder
  const dir = join(lab.tmp, `svc-${id}`);
  mkdirSync(join(dir, 'state'), { recursive: true });
  chmodSync(dir, 0o755);
  const file = join(dir, 'portcullis.conf');
  writeFileSync(file, config, { mode: 0o644 }); // root-owned and read-only to the daemon, as /etc/portcullis
  chownSync(join(dir, 'state'), id, id); // StateDirectory=
  chmodSync(join(dir, 'state'), 0o700);
  const socket = join(dir, 'state', 'control.sock');
  const serve = portcullisCopy('serve', '-c', file, '-i', lab.server.iface, '--state-dir', join(dir, 'state'), '--control-socket', socket, '-v');
  const env = path ? ['env', `PATH=${path}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`] : [];
  const daemon = lab.spawn('server', [...env, ...unprivileged(id, serve)], 'portcullis serve (unprivileged)');
  await daemon.waitForLine(/starting up, listening on/, 20_000);
  return { daemon, dir, socket, id };
}

/** The daemon's /proc status fields, found by its uid (nobody else has it). */
function processStatus(id: number): Record<string, string> {
  const r = spawnSync('pgrep', ['-u', String(id), '-f', program()], { encoding: 'utf8' });
  const pids = r.stdout.trim().split('\n').filter(Boolean);
  assert.equal(pids.length, 1, `one daemon process runs as uid ${id}: ${r.stdout}`);
  const text = readFileSync(`/proc/${pids[0]}/status`, 'utf8');
  return Object.fromEntries(text.split('\n').filter(Boolean).map((l) => l.split(/:\s*/, 2) as [string, string]));
}

function assertUnprivileged(svc: Service): void {
  const s = processStatus(svc.id);
  assert.deepEqual(s.Uid!.split(/\s+/), Array(4).fill(String(svc.id)), 'real, effective, saved and fs uid');
  for (const set of ['CapEff', 'CapPrm', 'CapAmb', 'CapBnd']) assert.equal(BigInt(`0x${s[set]}`), NET_CAPS, `${set} = ${s[set]}: exactly CAP_NET_RAW and CAP_NET_ADMIN`);
  assert.equal(s.NoNewPrivs, '1');
}

function knockConfig(backend: string): string {
  return labConfig([`firewall = ${backend}`], [
    '[openSSH]', '    sequence     = 7000,8000', '    tcpflags     = syn', '    open         = tcp/22', `    open_timeout = ${OPEN_SECONDS}`, '',
  ].join('\n'));
}

async function knockOpensAndCloses(lab: Lab, svc: Service): Promise<void> {
  const reach = (role: string) => lab.tcpConnects(role, lab.server.ip4, 22, 700);
  assert.equal(await reach('client'), false, 'tcp/22 is protected before any knock');
  await portcullisKnock(lab, 'client', ['-d', '50', lab.server.ip4, '7000', '8000']);
  await svc.daemon.waitForLine(new RegExp(`${lab.host('client').ip4}: openSSH: opened tcp/22 for ${OPEN_SECONDS} s`), 5000);
  assert.equal(await reach('client'), true, `the knocker gets in\n${svc.daemon.output()}`);
  assert.equal(await reach('other'), false, 'another address stays out');
  await waitFor('the grant to close', async () => !(await reach('client')), OPEN_SECONDS * 1000 + 4000);
}

/** The control socket answers its owner (status) and is closed to other users. */
async function controlSocketIsTheOwners(lab: Lab, svc: Service): Promise<void> {
  const own = await lab.exec('server', unprivileged(svc.id, portcullisCopy('status', '--json', '--control-socket', svc.socket)));
  assert.equal(own.code, 0, own.stderr);
  assert.ok(Array.isArray((JSON.parse(own.stdout) as { doors: unknown[] }).doors));
  const stranger = await lab.exec('server', unprivileged(svc.id + 1, portcullisCopy('status', '--control-socket', svc.socket)));
  assert.notEqual(stranger.code, 0, 'another uid cannot use the control socket');
}

for (const backend of ['nftables', 'iptables'] as const) {
  test(`${backend}: serve with only CAP_NET_RAW+CAP_NET_ADMIN as a non-root uid opens and closes a knock door`,
    { skip: labSkipReason(['setpriv', 'pgrep', backend === 'nftables' ? 'nft' : 'iptables']), timeout: 90_000 }, async (t) => {
      const lab = await createLab(`sv${backend.slice(0, 3)}`, { clients: ['client', 'other'] });
      t.after(() => lab.destroy());
      await lab.startTcpService('server', 22);
      const svc = await startService(lab, knockConfig(backend));
      await svc.daemon.waitForLine(new RegExp(`firewall backend: ${backend}`), 5000);
      assertUnprivileged(svc);
      await knockOpensAndCloses(lab, svc);
      await controlSocketIsTheOwners(lab, svc);
      await svc.daemon.stop('SIGTERM');
    });
}

/**
 * Runs the unit's ExecStartPre=+ line (the xtables lock for the daemon's
 * group) with the throw-away gid; returns how to put the lock back.
 */
function unitLockCommand(gid: number): () => void {
  const unit = readFileSync(join(REPO_ROOT, 'contrib', 'portcullis.service'), 'utf8');
  const line = /^ExecStartPre=\+\/bin\/sh -c '(.*xtables\.lock.*)'$/m.exec(unit);
  assert.ok(line, 'the unit prepares /run/xtables.lock');
  const lock = '/run/xtables.lock';
  const before = spawnSync('stat', ['-c', '%u:%g %a', lock], { encoding: 'utf8' });
  const r = spawnSync('sh', ['-c', line[1]!.replace('chgrp portcullis', `chgrp ${gid}`)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return () => {
    if (before.status !== 0) return; // it did not exist: leave the new one, as iptables would
    const [owner, mode] = before.stdout.trim().split(' ');
    spawnSync('chown', [owner!, lock]);
    spawnSync('chmod', [mode!, lock]);
  };
}

test('iptables-legacy: the same, with the xtables lock the unit makes writable', {
  skip: labSkipReason(['setpriv', 'pgrep', 'iptables-legacy', 'ip6tables-legacy', 'iptables-legacy-restore', 'ip6tables-legacy-restore', 'iptables-legacy-save']),
  timeout: 90_000,
}, async (t) => {
  const lab = await createLab('svleg', { clients: ['client', 'other'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  // `iptables` and friends resolve to the legacy variants for the daemon only.
  const bin = join(lab.tmp, 'legacy-bin');
  mkdirSync(bin);
  chmodSync(lab.tmp, 0o711);
  chmodSync(bin, 0o755);
  for (const p of ['iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save']) {
    symlinkSync(`/usr/sbin/${p.replace(/^(ip6?tables)/, '$1-legacy')}`, join(bin, p));
  }
  const id = freeId();
  t.after(unitLockCommand(id));
  const svc = await startService(lab, knockConfig('iptables'), bin, id);
  assertUnprivileged(svc);
  await knockOpensAndCloses(lab, svc);
  const legacyRules = await lab.mustExec('server', ['iptables-legacy', '-S', 'INPUT']);
  assert.match(legacyRules.stdout, /PORTCULLIS/, 'the rules went into the legacy tables');
  await svc.daemon.stop('SIGTERM');
});

test('an SPA door (captured) opens for portcullis spa under the same privileges', { skip: labSkipReason(['setpriv', 'pgrep', 'nft']), timeout: 90_000 }, async (t) => {
  const lab = await createLab('svspa', { clients: ['client', 'other'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  const svc = await startService(lab, labConfig(['firewall = nftables'], [
    '[ssh-spa]', `    key_base64        = ${KEY}`, `    hmac_key_base64   = ${HMAC}`, '    open_ports        = tcp/22', `    fw_access_timeout = ${OPEN_SECONDS}`, '',
  ].join('\n')));
  assertUnprivileged(svc);
  const client = lab.host('client').ip4;
  await lab.mustExec('client', portcullis('spa', '--no-rc-file', '-A', 'tcp/22', '-a', client, '-D', lab.server.ip4,
    '--key-base64-rijndael', KEY, '--key-base64-hmac', HMAC), { env: { ...process.env, HOME: lab.tmp }, timeoutMs: 20_000 });
  await svc.daemon.waitForLine(new RegExp(`${client}: ssh-spa: opened tcp/22 for ${OPEN_SECONDS} s`), 5000);
  assert.equal(await lab.tcpConnects('client', lab.server.ip4, 22, 700), true, svc.daemon.output());
  assert.equal(await lab.tcpConnects('other', lab.server.ip4, 22, 700), false);
  await waitFor('the SPA grant to close', async () => !(await lab.tcpConnects('client', lab.server.ip4, 22, 700)), OPEN_SECONDS * 1000 + 4000);
  await svc.daemon.stop('SIGTERM');
});

test('knockd-style start/stop commands inherit the two capabilities: nft commands in them work', { skip: labSkipReason(['setpriv', 'pgrep', 'nft']), timeout: 90_000 }, async (t) => {
  const lab = await createLab('svcmd', { clients: ['client', 'other'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  await lab.nftSetup('server', labRuleset()); // tcp/22 open only to @allowed4, which the commands fill
  const table = LAB_TABLE;
  const svc = await startService(lab, labConfig(['firewall = command'], [
    '[openSSH]', '    sequence      = 7000,8000', '    tcpflags      = syn',
    `    start_command = nft add element ${table} allowed4 { %IP% }`, '    cmd_timeout   = 3',
    `    stop_command  = nft delete element ${table} allowed4 { %IP% }`, '',
  ].join('\n')));
  assertUnprivileged(svc);
  const client = lab.host('client').ip4;
  await portcullisKnock(lab, 'client', ['-d', '50', lab.server.ip4, '7000', '8000']);
  await svc.daemon.waitForLine(/openSSH: command finished/, 5000);
  assert.equal(await lab.nftHasElement('server', 'allowed4', client), true, `the start command ran nft as the uid\n${svc.daemon.output()}`);
  assert.equal(await lab.tcpConnects('client', lab.server.ip4, 22, 700), true);
  assert.equal(await lab.tcpConnects('other', lab.server.ip4, 22, 700), false);
  await waitFor('the stop command to remove the element', async () => !(await lab.nftHasElement('server', 'allowed4', client)), 8000);
  assert.doesNotMatch(svc.daemon.output(), /exited with|failed/i, 'no command failed');
  await svc.daemon.stop('SIGTERM');
});
