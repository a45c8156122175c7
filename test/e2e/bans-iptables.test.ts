// Kernel bans of the iptables backend end to end (the structure of
// bans.test.ts's ipset case): `portcullis serve` with `firewall = iptables`
// in the server namespace, a client in its own. FailureLimit wrong knocks ban
// the client: a DROP rule in PORTCULLIS-BANS (`portcullis ban exp=`), which
// the own chain jumps to for the guarded ports before the grants, so even
// its open grant lets nothing new in, and its correct knock opens nothing.
// `portcullis unban` deletes the rule and the knock opens. Banned again over
// IPv6 (ip6tables) and IPv4 with a short BanTime, the rules' --datestop ends
// the bans in the kernel by itself: the rules are still listed, yet the
// client's grant works again without a knock. A restart keeps the rules and
// the new daemon honours them. Last, the backend alone as a
// gateway: a ban shuts a source with a forward entry out of the inside
// service (IPv4 and IPv6), removing it lets it back in, and a 2 s ban ends
// in the kernel by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLab, escapeRegExp, labSkipReason, portcullis, sleep, startPortcullis, waitFor, type Lab, type LabProcess } from './lab.js';
import type { Entry } from '../../src/firewall/backend.js';
import { ExecToolRunner } from '../../src/firewall/tool.js';
import { IptablesBackend } from '../../src/firewall/iptables.js';
import { mustSucceed, run } from './lab/run.js';
import { attackConfig, KNOCK_DOOR, SERVICE } from './lab/attack.js';
import type { StatusReport } from '../../src/control/types.js';

const skip = labSkipReason(['iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore']);
const BAN_SECONDS = 8;

class Scene {
  constructor(readonly lab: Lab, readonly daemon: LabProcess, readonly stateDir: string) {}

  async cli(...args: string[]): Promise<string> {
    return mustSucceed(await run(portcullis(...args, '--control-socket', join(this.stateDir, 'control.sock')), { timeoutMs: 30_000 })).stdout;
  }

  async status(): Promise<StatusReport> {
    return JSON.parse(await this.cli('status', '--json')) as StatusReport;
  }

  /** The ban rules of `address` in PORTCULLIS-BANS, as `iptables -S` prints them. */
  async banRules(address: string): Promise<string[]> {
    const six = address.includes(':');
    const r = await this.lab.mustExec('server', [six ? 'ip6tables' : 'iptables', '-w', '-S', 'PORTCULLIS-BANS']);
    return r.stdout.split('\n').filter((l) => l.startsWith(`-A PORTCULLIS-BANS -s ${address}/${six ? 128 : 32} `));
  }

  async banned(address: string): Promise<boolean> {
    return (await this.banRules(address)).length > 0;
  }

  async knock(to: string, ports: readonly number[]): Promise<void> {
    await this.lab.mustExec('client', portcullis('knock', to.includes(':') ? '-6' : '-4', to, ...ports.map(String)), { timeoutMs: 30_000 });
  }

  async wrong(to: string): Promise<void> {
    for (let i = 0; i < 3; i++) await this.knock(to, [7000, 9000]);
  }

  reaches(to: string): Promise<boolean> {
    return this.lab.tcpConnects('client', to, SERVICE, 1000);
  }
}

test('iptables backend: a ban is a DROP rule in PORTCULLIS-BANS that beats an open grant, unban deletes it, and --datestop lifts a ban in the kernel by itself (IPv4 and IPv6)',
  { skip, timeout: 150_000 }, async (t) => {
    const lab = await createLab('ibk', { clients: ['client'], bridge: true });
    t.after(() => lab.destroy());
    await lab.startTcpService('server', SERVICE);
    const stateDir = join(lab.tmp, 'state');
    const config = attackConfig({ options: ['FailureLimit = 3', 'FailureWindow = 60', `BanTime = ${BAN_SECONDS}`], knock: ['seq_timeout = 5'] }).replace('firewall = nftables', 'firewall = iptables');
    const daemon = await startPortcullis(lab, { config, stateDir });
    await daemon.waitForLine(/bans: kept in the kernel too \(iptables\)/, 10_000);
    const s = new Scene(lab, daemon, stateDir);
    const server4 = lab.server.ip4;
    const ip = lab.host('client').ip4;

    let mark = daemon.mark();
    await s.knock(server4, [7000, 8000, 9000]);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: ${KNOCK_DOOR}: OPEN SESAME`), 5000, mark);
    await waitFor('the client to reach tcp/22', () => s.reaches(server4), 5000);

    // Banned with its grant still open: the ban chain comes first for tcp/22, so nothing new gets in.
    mark = daemon.mark();
    await s.wrong(server4);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: too many failed knocks, ignoring this source for ${BAN_SECONDS} s`), 5000, mark);
    await waitFor('the ban rule', () => s.banned(ip), 3000);
    const [rule] = await s.banRules(ip);
    assert.match(rule!, /-m time --datestop \S+ -m comment --comment "portcullis ban exp=\d+" -j DROP$/, rule);
    const exp = Number(/exp=(\d+)/.exec(rule!)![1]);
    const left = exp - Date.now() / 1000;
    assert.ok(left > BAN_SECONDS - 3 && left <= BAN_SECONDS + 1, `the rule ends in ${left.toFixed(1)} s, BanTime is ${BAN_SECONDS}`);
    const jumps = (await lab.mustExec('server', ['iptables', '-w', '-S', 'PORTCULLIS'])).stdout;
    assert.match(jumps, /^-A PORTCULLIS -p tcp -m tcp --dport 22 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS$/m, jumps);
    assert.equal(await s.reaches(server4), false, 'banned, its grant lets nothing new in');
    const report = await s.status();
    assert.equal(report.bans?.kernel, 'iptables');
    assert.ok(report.grants.some((g) => g.address === ip), 'the grant is still there: the ban alone shuts the client out');

    // Its correct knock opens nothing while banned.
    mark = daemon.mark();
    await s.knock(server4, [7000, 8000, 9000]);
    await sleep(1000);
    assert.equal(daemon.find(new RegExp(`${escapeRegExp(ip)}: ${KNOCK_DOOR}: OPEN SESAME`), mark), undefined, `a banned client's knock opened\n${daemon.output()}`);

    // unban: the rule is gone when the command returns, and the knock opens.
    assert.match(await s.cli('unban', ip), new RegExp(`lifted the ban of ${escapeRegExp(ip)}`));
    assert.equal(await s.banned(ip), false, 'unban left the rule');
    mark = daemon.mark();
    await s.knock(server4, [7000, 8000, 9000]);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: ${KNOCK_DOOR}: OPEN SESAME`), 5000, mark);
    await waitFor('the client to reach tcp/22', () => s.reaches(server4), 5000);

    // IPv6 through ip6tables: open, then banned (both families at once), and shut out there too.
    const server6 = lab.server.ip6;
    const ip6 = lab.host('client').ip6;
    mark = daemon.mark();
    await s.knock(server6, [7000, 8000, 9000]);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(ip6)}: ${KNOCK_DOOR}: OPEN SESAME`), 5000, mark);
    await waitFor('the client to reach tcp/22 over IPv6', () => s.reaches(server6), 5000);
    mark = daemon.mark();
    await s.wrong(server6);
    await s.wrong(server4);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(ip6)}: too many failed knocks`), 5000, mark);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: too many failed knocks`), 5000, mark);
    const bannedAt = Date.now();
    await waitFor('the ip6tables ban rule', () => s.banned(ip6), 3000);
    await waitFor('the iptables ban rule', () => s.banned(ip), 3000);
    assert.equal(await s.reaches(server6), false, 'banned over IPv6');
    assert.equal(await s.reaches(server4), false, 'banned over IPv4');

    // The kernel ends both bans at --datestop by itself: the rules are still there, yet the open grants work again.
    await waitFor('the kernel to lift the bans by itself', async () => (await s.reaches(server4)) && (await s.reaches(server6)), (BAN_SECONDS + 6) * 1000, 250);
    const lasted = (Date.now() - bannedAt) / 1000;
    assert.ok(lasted >= BAN_SECONDS - 2, `the kernel bans lasted ${lasted.toFixed(1)} s, BanTime is ${BAN_SECONDS}`);
    assert.equal(await s.banned(ip), true, 'the expired rule is still listed: the time match lifted it, not a delete');
    assert.equal(await s.banned(ip6), true);
    assert.doesNotMatch(daemon.output(), /cannot update the kernel ban set/, 'iptables refused a ban change');
    assert.deepEqual((await s.status()).bans?.list ?? [], [], 'the daemon lifted them too');
  });

test('iptables backend: a restart keeps the ban rules, and the new daemon honours them (reason restored)',
  { skip, timeout: 90_000 }, async (t) => {
    const lab = await createLab('ibr', { clients: ['client'], bridge: true });
    t.after(() => lab.destroy());
    await lab.startTcpService('server', SERVICE);
    const stateDir = join(lab.tmp, 'state');
    const config = attackConfig({ options: ['FailureLimit = 3', 'BanTime = 60'], knock: ['seq_timeout = 5'] }).replace('firewall = nftables', 'firewall = iptables');
    const first = await startPortcullis(lab, { config, stateDir });
    await first.waitForLine(/bans: kept in the kernel too \(iptables\)/, 10_000);
    const s = new Scene(lab, first, stateDir);
    const ip = lab.host('client').ip4;
    const mark = first.mark();
    await s.wrong(lab.server.ip4);
    await first.waitForLine(new RegExp(`${escapeRegExp(ip)}: too many failed knocks`), 5000, mark);
    await waitFor('the ban rule', () => s.banned(ip), 3000);

    await first.stop('SIGTERM', 5000);
    assert.equal(await s.banned(ip), true, 'the ban rule left with the daemon');
    const daemon = await startPortcullis(lab, { config, stateDir });
    await daemon.waitForLine(/bans: kept in the kernel too \(iptables\); 1 ban\(s\) of an earlier run still in force/, 10_000);
    const again = new Scene(lab, daemon, stateDir);
    const ban = (await again.status()).bans?.list.find((b) => b.address === ip);
    assert.ok(ban && ban.reason === 'restored' && ban.secondsLeft > 40, JSON.stringify(ban));
    assert.equal((await again.banRules(ip)).length, 1, 'set-up put the rule back once');
    assert.equal(await again.reaches(lab.server.ip4), false);
  });

test('iptables gateway: a kernel ban shuts a source with a forward entry out of the inside service; removed, it is back in; a short ban ends by itself',
  { skip, timeout: 60_000 }, async (t) => {
    const lab = await createLab('ibg', { clients: ['a'], inside: ['inside'] });
    t.after(() => lab.destroy());
    await lab.startTcpService('inside', 3389);
    const inside = lab.host('inside');
    const fw = new IptablesBackend({ runner: new ExecToolRunner({ prefix: ['ip', 'netns', 'exec', lab.ns('server')] }) });
    t.after(() => fw.dispose());
    const service = { proto: 'tcp', port: 13389 } as const;
    await fw.prepare({ protected: [], forwarded: [{ ...service, forward: { host: inside.ip4, port: 3389 } }, { ...service, forward: { host: inside.ip6, port: 3389 } }] });
    const through = async (family: 4 | 6) => {
      const probe = await lab.tcpProbe('a', family === 4 ? lab.server.ip4 : lab.server.ip6, 13389, 700);
      return probe.connected && probe.reply === 'hello\n';
    };
    const a = lab.host('a');
    const expiresAt = Date.now() + 60_000;
    const entries: Entry[] = [
      { address: a.ip4, family: 4, service, forward: { host: inside.ip4, port: 3389 }, expiresAt },
      { address: a.ip6, family: 6, service, forward: { host: inside.ip6, port: 3389 }, expiresAt },
    ];
    await fw.open(entries, Date.now());
    for (const family of [4, 6] as const) assert.equal(await through(family), true, `IPv${family}: the forward entry lets a through`);

    await fw.applyBans([{ address: a.ip4, seconds: 60 }, { address: a.ip6, seconds: 60 }], []);
    assert.deepEqual((await fw.listBans(Date.now())).map((b) => b.address).sort(), [a.ip4, a.ip6].sort());
    for (const family of [4, 6] as const) assert.equal(await through(family), false, `IPv${family}: banned, its forward entry lets nothing new in`);
    await fw.applyBans([], [a.ip4, a.ip6]);
    assert.deepEqual(await fw.listBans(Date.now()), []);
    for (const family of [4, 6] as const) assert.equal(await through(family), true, `IPv${family}: unbanned, back in`);

    await fw.applyBans([{ address: a.ip4, seconds: 2 }], []);
    assert.equal(await through(4), false, 'banned for 2 s');
    await waitFor('the kernel to end the ban', () => through(4), 6000, 250);
    assert.deepEqual(await fw.listBans(Date.now()), [], 'an ended ban is not listed');
    const rules = (await lab.mustExec('server', ['iptables', '-w', '-S', 'PORTCULLIS-BANS'])).stdout;
    assert.match(rules, new RegExp(`-s ${escapeRegExp(a.ip4)}/32 .*portcullis ban exp=`), 'the rule is still there: the time match ended it');

    await fw.remove();
    const left = (await lab.mustExec('server', ['iptables', '-w', '-S'])).stdout + (await lab.mustExec('server', ['ip6tables', '-w', '-S'])).stdout;
    assert.doesNotMatch(left, /PORTCULLIS/, `remove takes the ban chain away too\n${left}`);
  });
