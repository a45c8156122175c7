// The daemon with each native backend, on real packets: a door with
// `open = tcp/22` and no commands. The backend's own table/chain protects the
// port (the lab has no other firewall), a knock opens it for the knocker only,
// and `kill -9` at any moment followed by a restart leaves nothing open past
// its expiry: the kernel stops the entry by itself while the daemon is dead,
// and the restarted daemon removes what is left and restores what is valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLab, labConfig, labSkipReason, portcullis, portcullisKnock, sleep, startPortcullis, waitFor, type Lab } from './lab.js';
import type { FirewallBackend } from '../../src/firewall/backend.js';
import { ExecToolRunner } from '../../src/firewall/tool.js';
import { NftablesBackend } from '../../src/firewall/nftables.js';
import { IptablesBackend } from '../../src/firewall/iptables.js';
import { IpsetBackend } from '../../src/firewall/ipset.js';

const OPEN_SECONDS = 4;

const BACKENDS: Record<string, { programs: string[]; inspect: (lab: Lab) => FirewallBackend }> = {
  nftables: { programs: ['nft'], inspect: (lab) => new NftablesBackend({ runner: inLab(lab) }) },
  iptables: { programs: ['iptables'], inspect: (lab) => new IptablesBackend({ runner: inLab(lab) }) },
  ipset: { programs: ['ipset', 'iptables'], inspect: (lab) => new IpsetBackend({ runner: inLab(lab) }) },
};

function inLab(lab: Lab): ExecToolRunner {
  return new ExecToolRunner({ prefix: ['ip', 'netns', 'exec', lab.ns('server')] });
}

function config(backend: string): string {
  return labConfig([`firewall = ${backend}`], [
    '[openSSH]',
    '    sequence     = 7000,8000',
    '    seq_timeout  = 5',
    '    tcpflags     = syn',
    '    open         = tcp/22',
    `    open_timeout = ${OPEN_SECONDS}`,
    '',
  ].join('\n'));
}

for (const [name, b] of Object.entries(BACKENDS)) {
  test(`${name}: knock opens tcp/22 for the knocker only; kill -9 mid-grant leaves nothing open past expiry`, { skip: labSkipReason(b.programs), timeout: 120_000 }, async (t) => {
    const lab = await createLab(`dfw${name.slice(0, 3)}`, { clients: ['client', 'other'] });
    t.after(() => lab.destroy());
    await lab.startTcpService('server', 22);
    const stateDir = join(lab.tmp, 'state');
    const text = config(name);
    const reach = (role: string) => lab.tcpConnects(role, lab.server.ip4, 22, 700);
    const installed = async () => (await b.inspect(lab).list(Date.now())).filter((e) => e.expiresAt === undefined || e.expiresAt > Date.now());
    const knock = () => portcullisKnock(lab, 'client', ['-d', '50', lab.server.ip4, '7000', '8000']);
    const client = lab.host('client').ip4;

    let daemon = await startPortcullis(lab, { config: text, stateDir });
    await daemon.waitForLine(new RegExp(`firewall backend: ${name}`), 5000);
    assert.equal(await reach('client'), false, 'tcp/22 is protected before any knock');

    await knock();
    await daemon.waitForLine(new RegExp(`${client}: openSSH: opened tcp/22 for ${OPEN_SECONDS} s`), 5000);
    assert.equal(await reach('client'), true, `the knocker gets in\n${daemon.output()}`);
    assert.equal(await reach('other'), false, 'another address stays out');

    // kill -9 while the grant is open: the kernel still closes it on time.
    daemon.kill('SIGKILL');
    await daemon.exited;
    const killedAt = Date.now();
    assert.equal(await reach('client'), true, 'the grant outlives the daemon until its expiry');
    await waitFor('the grant to stop at its expiry with the daemon dead', async () => !(await reach('client')), OPEN_SECONDS * 1000 + 3000);
    assert.ok(Date.now() - killedAt < OPEN_SECONDS * 1000 + 3000);

    // Restart: the expired grant is reconciled away, nothing of ours is left live.
    daemon = await startPortcullis(lab, { config: text, stateDir });
    await daemon.waitForLine(/0 grant\(s\) restored, 1 expired/, 5000);
    assert.deepEqual(await installed(), []);
    assert.deepEqual((await b.inspect(lab).list(Date.now())).filter((e) => e.address === client), [], 'no stale entry is left for the client');

    // kill -9 and an immediate restart: the valid grant is restored and still closes on time.
    await knock();
    await daemon.waitForLine(new RegExp(`${client}: openSSH: opened tcp/22`), 5000);
    const openedAt = Date.now();
    daemon.kill('SIGKILL');
    await daemon.exited;
    daemon = await startPortcullis(lab, { config: text, stateDir });
    await daemon.waitForLine(/1 grant\(s\) restored/, 5000);
    assert.equal(await reach('client'), true, 'restored grant still lets the client in');
    await waitFor('the restored grant to close at its expiry', async () => !(await reach('client')), OPEN_SECONDS * 1000 + 3000);
    assert.ok(Date.now() - openedAt < OPEN_SECONDS * 1000 + 3000);
    await sleep(300);
    assert.deepEqual(await installed(), []);

    // SIGTERM: kernel-expiring entries are left to expire by themselves.
    const mark = daemon.mark();
    await knock();
    await daemon.waitForLine(new RegExp(`${client}: openSSH: opened tcp/22`), 5000, mark);
    await daemon.stop('SIGTERM');
    assert.equal(await reach('client'), true, 'SIGTERM leaves a kernel-expiring grant to expire');
  });
}

test('nftables: a closing door revokes the opening door\'s grant (revokes =)', { skip: labSkipReason(['nft']), timeout: 60_000 }, async (t) => {
  const lab = await createLab('dfwrev', { clients: ['client'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  const text = labConfig(['firewall = nftables'], [
    '[openSSH]', '    sequence = 7000,8000', '    tcpflags = syn', '    open = tcp/22', '    open_timeout = 60', '',
    '[closeSSH]', '    sequence = 9000,8000', '    tcpflags = syn', '    revokes = openSSH', '',
  ].join('\n'));
  const socket = join(lab.tmp, 'control.sock');
  const daemon = await startPortcullis(lab, { config: text, args: ['--control-socket', socket] });
  const knockOpen = async () => {
    const mark = daemon.mark();
    await portcullisKnock(lab, 'client', ['-d', '50', lab.server.ip4, '7000', '8000']);
    await daemon.waitForLine(/openSSH: opened tcp\/22/, 5000, mark);
    assert.equal(await lab.tcpConnects('client', lab.server.ip4, 22, 700), true);
  };
  await knockOpen();
  await portcullisKnock(lab, 'client', ['-d', '50', lab.server.ip4, '9000', '8000']);
  await daemon.waitForLine(/openSSH: revoked/, 5000);
  await waitFor('the revoked grant to close', async () => !(await lab.tcpConnects('client', lab.server.ip4, 22, 700)), 3000);

  // The firewall grant in `portcullis status`, and closed by `portcullis revoke`.
  await knockOpen();
  const status = JSON.parse((await lab.mustExec('server', portcullis('status', '--json', '--control-socket', socket))).stdout) as { grants: Array<{ door: string; address: string; backend: string; services: string[] }> };
  assert.deepEqual(status.grants.map((g) => [g.door, g.address, g.backend, g.services]), [['openSSH', lab.host('client').ip4, 'nftables', ['tcp/22']]]);
  const revoked = await lab.mustExec('server', portcullis('revoke', lab.host('client').ip4, '--control-socket', socket));
  assert.match(revoked.stdout, /1/);
  assert.equal(await lab.tcpConnects('client', lab.server.ip4, 22, 700), false, 'revoked at once');
});
