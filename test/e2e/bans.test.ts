// Bans end to end: `portcullis serve` with the nftables backend (own table)
// in the server namespace, clients in theirs. A client that sends
// FailureLimit wrong sequences is banned: an element of the kernel set
// banned4 (with the ban's timeout) and a row of `portcullis status`; while
// banned its correct knock opens nothing; `portcullis unban` removes the
// kernel element and its knock opens; banned again, the kernel lifts the ban
// by itself at BanTime. A BanExempt client is never banned. Refused SPA
// packets (`portcullis spa` with a wrong HMAC key) earn a ban too, and the
// ban shows what "no longer reach the daemon" means per capture mode: a
// captured SPA port's packets are still seen by the daemon (AF_PACKET taps
// frames before netfilter) and ignored there, a bound socket's never arrive.
// Last, the kernel's per-source SPA rate limit drops a burst beyond it
// (counted by the socket door's refusals and by the nft rule's counter).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLab, escapeRegExp, labSkipReason, portcullis, sleep, startPortcullis, waitFor, type Lab, type LabProcess } from './lab.js';
import { mustSucceed, run } from './lab/run.js';
import { attackConfig, KNOCK_DOOR, SERVICE, SPA_HMAC, SPA_KEY, SPA_PORT, socketSpaDoor } from './lab/attack.js';
import type { StatusReport } from '../../src/control/types.js';

const skip = labSkipReason(['nft']);
const skipIpset = labSkipReason(['ipset', 'iptables']);
const TABLE = 'inet portcullis';
const BAN_SECONDS = 8;
const SOCKET_PORT = SPA_PORT + 1;
const WRONG_HMAC = 'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=';
const RATE = 5;
const BURST = 100;

// argv: HOST PORT COUNT. COUNT datagrams of junk (not SPA: too short, never a failure) back to back.
const BURST_SENDER = `
const s = require('node:dgram').createSocket('udp4');
const [host, port, count] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const started = Date.now();
let sent = 0;
const next = () => {
  if (sent === count) { s.close(); console.log(JSON.stringify({ sent, ms: Date.now() - started })); return; }
  sent++;
  s.send(Buffer.from('hello'), port, host, next);
};
next();
`;

class Scene {
  constructor(readonly lab: Lab, readonly daemon: LabProcess, readonly stateDir: string) {}

  ip(role: string): string { return this.lab.host(role).ip4; }
  get control(): string { return join(this.stateDir, 'control.sock'); }

  async cli(...args: string[]): Promise<string> {
    return mustSucceed(await run(portcullis(...args, '--control-socket', this.control), { timeoutMs: 30_000 })).stdout;
  }

  async status(): Promise<StatusReport> {
    return JSON.parse(await this.cli('status', '--json')) as StatusReport;
  }

  banned(role: string): Promise<boolean> {
    return this.lab.nftHasElement('server', 'banned4', this.ip(role), TABLE);
  }

  async knock(role: string, ports: readonly number[]): Promise<void> {
    await this.lab.mustExec(role, portcullis('knock', this.lab.server.ip4, ...ports.map(String)), { timeoutMs: 30_000 });
  }

  /** The right sequence; resolves once the daemon opened the door and the client reaches the service. */
  async knockOpen(role: string): Promise<void> {
    const mark = this.daemon.mark();
    await this.knock(role, [7000, 8000, 9000]);
    await this.daemon.waitForLine(new RegExp(`${escapeRegExp(this.ip(role))}: ${KNOCK_DOOR}: OPEN SESAME`), 5000, mark);
    await waitFor(`${role} to reach tcp/${SERVICE}`, () => this.reaches(role), 5000);
  }

  /** `failures` wrong sequences; resolves once the daemon banned the client. */
  async knockUntilBanned(role: string, failures: number): Promise<void> {
    const mark = this.daemon.mark();
    for (let i = 0; i < failures; i++) await this.knock(role, [7000, 9000]);
    await this.daemon.waitForLine(new RegExp(`${escapeRegExp(this.ip(role))}: too many failed knocks`), 5000, mark);
  }

  async spa(role: string, port: number, hmac = SPA_HMAC): Promise<void> {
    await this.lab.mustExec(role, portcullis('spa', '--no-rc-file', '-A', `tcp/${SERVICE}`, '-a', this.ip(role), '-D', this.lab.server.ip4, '-p', String(port),
      '--key-base64-rijndael', SPA_KEY, '--key-base64-hmac', hmac), { timeoutMs: 30_000 });
  }

  reaches(role: string): Promise<boolean> {
    return this.lab.tcpConnects(role, this.lab.server.ip4, SERVICE, 1000);
  }

  /** The `counter packets N` of the input-chain rule whose text matches `re`. */
  async ruleCounter(re: RegExp): Promise<number> {
    const r = await this.lab.mustExec('server', ['nft', 'list', 'chain', ...TABLE.split(' '), 'input']);
    const line = r.stdout.split('\n').find((l) => re.test(l));
    const m = line && /counter packets (\d+)/.exec(line);
    if (!m) throw new Error(`no rule matching ${re} with a counter in\n${r.stdout}`);
    return Number(m[1]);
  }

  async revoke(role: string): Promise<void> {
    await this.cli('revoke', this.ip(role));
    await waitFor(`${role}'s grant to close`, async () => !(await this.reaches(role)), 5000);
  }
}

async function scene(t: TestContext, id: string, clients: string[], options: (lab: Lab) => string[], doors = ''): Promise<Scene> {
  const lab = await createLab(id, { clients, bridge: true });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', SERVICE);
  const stateDir = join(lab.tmp, 'state');
  const daemon = await startPortcullis(lab, { config: attackConfig({ options: options(lab), doors, knock: ['seq_timeout = 5'] }), stateDir });
  await daemon.waitForLine(/bans: kept in the kernel too \(nftables/, 10_000);
  return new Scene(lab, daemon, stateDir);
}

test('knocks: FailureLimit wrong sequences ban a client in the kernel and in status; unban lifts it; the kernel ends a ban by itself; an exempt client is never banned',
  { skip, timeout: 120_000 }, async (t) => {
    const s = await scene(t, 'bnk', ['client', 'exempt'], (lab) => [
      'FailureLimit = 3', 'FailureWindow = 60', `BanTime = ${BAN_SECONDS}`, `BanExempt = ${lab.host('exempt').ip4}/32`,
    ]);
    const ip = s.ip('client');
    const wrong = async (role: string, n: number) => { for (let i = 0; i < n; i++) await s.knock(role, [7000, 9000]); };

    let mark = s.daemon.mark();
    await wrong('client', 3);
    await s.daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: too many failed knocks, ignoring this source for ${BAN_SECONDS} s`), 5000, mark);
    await waitFor('the kernel ban element', () => s.banned('client'), 3000);
    const text = await s.cli('status');
    assert.match(text, new RegExp(`bans \\(1, in the daemon and the kernel \\(nftables\\);[^\\n]*\\n  address +reason +failures +left\\n  ${escapeRegExp(ip)} +wrong-knock +3 +[0-9]+ s\\n`), text);
    const ban = (await s.status()).bans?.list.find((b) => b.address === ip);
    assert.ok(ban && ban.reason === 'wrong-knock' && ban.failures === 3 && ban.secondsLeft <= BAN_SECONDS, JSON.stringify(ban));

    // Banned: the right sequence opens nothing (the daemon ignores the source), and tcp/22 stays shut.
    mark = s.daemon.mark();
    await s.knock('client', [7000, 8000, 9000]);
    await sleep(1000);
    assert.equal(s.daemon.find(new RegExp(`${escapeRegExp(ip)}: ${KNOCK_DOOR}: OPEN SESAME`), mark), undefined, `a banned client's knock opened\n${s.daemon.output()}`);
    assert.equal(await s.reaches('client'), false);
    assert.ok(((await s.status()).counters.ignored['banned'] ?? 0) >= 3, 'its knocks were ignored as banned');

    // unban: the kernel element is gone when the command returns, and the knock opens.
    assert.match(await s.cli('unban', ip), new RegExp(`lifted the ban of ${escapeRegExp(ip)}`));
    assert.equal(await s.banned('client'), false, 'unban left the kernel element');
    assert.match(s.daemon.output(), new RegExp(`control: unban ${escapeRegExp(ip)}: 1 ban lifted`));
    await s.knockOpen('client');
    await s.revoke('client');

    // Banned again: this time the kernel lifts it by itself at BanTime, and the daemon lets it knock again.
    mark = s.daemon.mark();
    await wrong('client', 3);
    await s.daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: too many failed knocks`), 5000, mark);
    const bannedAt = Date.now();
    await waitFor('the kernel ban element', () => s.banned('client'), 3000);
    await waitFor('the kernel to lift the ban by itself', async () => !(await s.banned('client')), (BAN_SECONDS + 4) * 1000, 250);
    const lasted = (Date.now() - bannedAt) / 1000;
    assert.ok(lasted >= BAN_SECONDS - 1.5, `the kernel ban lasted ${lasted.toFixed(1)} s, BanTime is ${BAN_SECONDS}`);
    await sleep(500);
    mark = s.daemon.mark();
    await s.knock('client', [7000, 8000, 9000]);
    await s.daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: ${KNOCK_DOOR}: OPEN SESAME`), 5000, mark);
    await s.revoke('client');

    // The exempt client fails twice the limit and is never banned.
    await wrong('exempt', 6);
    await sleep(300);
    assert.equal(await s.banned('exempt'), false, 'an exempt client was banned');
    const report = await s.status();
    assert.equal(report.bans?.list.some((b) => b.address === s.ip('exempt')), false);
    assert.ok((report.bans?.exempted ?? 0) >= 6, JSON.stringify(report.bans));
    mark = s.daemon.mark();
    await s.knock('exempt', [7000, 8000, 9000]);
    await s.daemon.waitForLine(new RegExp(`${escapeRegExp(s.ip('exempt'))}: ${KNOCK_DOOR}: OPEN SESAME`), 5000, mark);
    assert.equal(report.bans?.total, 2);
    assert.equal(report.bans?.lifted, 1);
  });

const SOCKET_DOOR = socketSpaDoor(SOCKET_PORT);

test('SPA: refused packets ban the client; captured packets still reach the capture (ignored there), socket packets never reach the daemon; the kernel rate-limits a burst',
  { skip, timeout: 120_000 }, async (t) => {
    const s = await scene(t, 'bns', ['client', 'flooder'], () => ['FailureLimit = 3', 'BanTime = 60', `SPA_Rate_Limit = ${RATE}/second burst ${RATE}`], SOCKET_DOOR);
    await s.daemon.waitForLine(new RegExp(`SPA: listening on udp/${SOCKET_PORT}`), 10_000);
    const ip = s.ip('client');

    let mark = s.daemon.mark();
    for (let i = 0; i < 3; i++) await s.spa('client', SPA_PORT, WRONG_HMAC);
    await s.daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: too many refused SPA packets, ignoring this source for 60 s`), 5000, mark);
    await waitFor('the kernel ban element', () => s.banned('client'), 3000);
    const ban = (await s.status()).bans?.list.find((b) => b.address === ip);
    assert.equal(ban?.reason, 'spa');

    // Captured SPA port: the kernel drops the packet (the ban rule counts it), yet the capture sees it first
    // (AF_PACKET taps frames before netfilter's hooks): the daemon ignores it as banned, nothing opens.
    // A captured SPA port is also a protected port (dropped for everyone, so the host stays silent): the first
    // ban rule drops it; a socket SPA port is not: the second one does.
    const dropped4 = async () => (await s.ruleCounter(/ip saddr @banned4 meta l4proto . th dport @protected counter/)) + (await s.ruleCounter(/ip saddr @banned4 udp dport @spa_ports counter/));
    let before = await s.status();
    let dropped = await dropped4();
    await s.spa('client', SPA_PORT);
    await waitFor('the daemon to see the banned packet', async () => ((await s.status()).counters.ignored['banned'] ?? 0) > (before.counters.ignored['banned'] ?? 0), 5000, 200);
    assert.equal(await dropped4(), dropped + 1, 'the kernel dropped it as well');
    assert.equal(await s.reaches('client'), false);

    // Bound socket: the kernel drops the datagram before the socket; the daemon never sees it.
    before = await s.status();
    dropped = await dropped4();
    await s.spa('client', SOCKET_PORT);
    await waitFor('the kernel to drop it', async () => (await dropped4()) === dropped + 1, 3000, 100);
    await sleep(500);
    const after = await s.status();
    assert.equal(after.counters.ignored['banned'], before.counters.ignored['banned'], 'a socket datagram of a banned source reached the daemon');
    assert.equal(after.counters.spa?.packets, before.counters.spa?.packets);
    assert.equal(await s.reaches('client'), false);

    // unban --all: the element goes, the next packet opens.
    assert.match(await s.cli('unban', '--all'), /lifted 1 ban/);
    assert.equal(await s.banned('client'), false);
    assert.doesNotMatch(s.daemon.output(), /cannot update the kernel ban set/, 'nft refused a ban change');
    mark = s.daemon.mark();
    await s.spa('client', SOCKET_PORT);
    await s.daemon.waitForLine(new RegExp(`${escapeRegExp(ip)}: socket-spa: SPA packet accepted`), 5000, mark);
    await waitFor('the client to reach tcp/22', () => s.reaches('client'), 5000);

    // The kernel's per-source rate limit: a burst of junk datagrams to the socket door (junk is never a failure).
    before = await s.status();
    const rateRule = /update @spa_rate4 .* counter/;
    const limited = await s.ruleCounter(rateRule);
    const r = mustSucceed(await s.lab.exec('flooder', [process.execPath, '-e', BURST_SENDER, s.lab.server.ip4, String(SOCKET_PORT), String(BURST)], { timeoutMs: 30_000 }));
    const { sent, ms } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { sent: number; ms: number };
    await sleep(1000);
    const got = (((await s.status()).counters.spa?.refused['too-short']) ?? 0) - (before.counters.spa?.refused['too-short'] ?? 0);
    const cut = (await s.ruleCounter(rateRule)) - limited;
    t.diagnostic(`rate limit ${RATE}/s burst ${RATE}: ${sent} datagrams in ${ms} ms, ${got} reached the daemon, ${cut} dropped by the kernel`);
    assert.equal(got + cut, sent, 'every datagram either reached the socket or was dropped by the rate limit');
    assert.ok(got >= 1 && got <= RATE + RATE * Math.ceil((ms + 1000) / 1000) + 2, `${got} of ${sent} got through a ${RATE}/s limit in ${ms} ms`);
    assert.equal(await s.banned('flooder'), false, 'junk is not a failure');
  });

/** The integrated deployment of DESIGN.md "Bans in the kernel": the administrator's table declares Portcullis's sets and uses them. */
const ADMIN_RULESET = `
table inet filter {
  set portcullis_grants4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }
  set portcullis_grants6 { type ipv6_addr . inet_proto . inet_service; flags timeout; }
  set portcullis_banned4 { type ipv4_addr; flags timeout; size 65536; }
  set portcullis_banned6 { type ipv6_addr; flags timeout; size 65536; }
  set portcullis_spa_rate4 { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 65536; }
  set portcullis_spa_rate6 { type ipv6_addr; flags dynamic,timeout; timeout 60s; size 65536; }
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    ip saddr @portcullis_banned4 drop
    ip6 saddr @portcullis_banned6 drop
    udp dport ${SPA_PORT} update @portcullis_spa_rate4 { ip saddr limit rate over 20/second burst 20 packets } drop
    udp dport ${SPA_PORT} update @portcullis_spa_rate6 { ip6 saddr limit rate over 20/second burst 20 packets } drop
    ip saddr . meta l4proto . th dport @portcullis_grants4 accept
    ip6 saddr . meta l4proto . th dport @portcullis_grants6 accept
    tcp dport ${SERVICE} drop
  }
}
`;

test('integrated (nft_table = inet filter): the documented ruleset loads, bans land in portcullis_banned4 and the administrator\'s rule drops the source',
  { skip, timeout: 90_000 }, async (t) => {
    const lab = await createLab('bni', { clients: ['client'], bridge: true });
    t.after(() => lab.destroy());
    await lab.startTcpService('server', SERVICE);
    await lab.nftSetup('server', ADMIN_RULESET);
    const stateDir = join(lab.tmp, 'state');
    const daemon = await startPortcullis(lab, { config: attackConfig({ options: ['nft_table = inet filter', 'FailureLimit = 3', 'BanTime = 60'], knock: ['seq_timeout = 5'] }), stateDir });
    await daemon.waitForLine(/bans: kept in the kernel too \(nftables/, 10_000);
    const s = new Scene(lab, daemon, stateDir);
    const ip = s.ip('client');
    const banned = () => lab.nftHasElement('server', 'portcullis_banned4', ip, 'inet filter');

    await s.knockOpen('client');

    // Banned with a grant still open: the administrator's ban rule comes first, so nothing new gets in.
    await s.knockUntilBanned('client', 3);
    await waitFor('the ban element in the administrator\'s table', banned, 3000);
    assert.equal(await s.reaches('client'), false, 'a banned client got through the administrator\'s table');

    assert.match(await s.cli('unban', ip), /lifted the ban/);
    assert.equal(await banned(), false);
    assert.equal(await s.reaches('client'), true, 'unbanned, its grant works again');
  });

test('a restart keeps the bans: the kernel elements stay, and the new daemon honours them (reason restored)',
  { skip, timeout: 90_000 }, async (t) => {
    const s = await scene(t, 'bnr', ['client'], () => ['FailureLimit = 3', 'BanTime = 60']);
    const ip = s.ip('client');
    await s.knockUntilBanned('client', 3);
    await waitFor('the kernel ban element', () => s.banned('client'), 3000);

    await s.daemon.stop('SIGTERM', 5000);
    assert.equal(await s.banned('client'), true, 'the ban left the kernel with the daemon');
    const daemon = await startPortcullis(s.lab, { config: attackConfig({ options: ['FailureLimit = 3', 'BanTime = 60'], knock: ['seq_timeout = 5'] }), stateDir: s.stateDir });
    await daemon.waitForLine(/bans: kept in the kernel too \(nftables\); 1 ban\(s\) of an earlier run still in force/, 10_000);
    const again = new Scene(s.lab, daemon, s.stateDir);
    const ban = (await again.status()).bans?.list.find((b) => b.address === ip);
    assert.ok(ban && ban.reason === 'restored' && ban.secondsLeft > 40, JSON.stringify(ban));
    const mark = daemon.mark();
    await again.knock('client', [7000, 8000, 9000]);
    await sleep(1000);
    assert.equal(daemon.find(new RegExp(`${escapeRegExp(ip)}: ${KNOCK_DOOR}: OPEN SESAME`), mark), undefined, `a restored ban let the knock through\n${daemon.output()}`);
    assert.equal(await again.reaches('client'), false);
  });

test('ipset backend: a ban is a member of portcullis_ban4 with its timeout, drops the client on the protected port, and unban removes it',
  { skip: skipIpset, timeout: 90_000 }, async (t) => {
    const lab = await createLab('bnp', { clients: ['client'], bridge: true });
    t.after(() => lab.destroy());
    await lab.startTcpService('server', SERVICE);
    const stateDir = join(lab.tmp, 'state');
    const config = attackConfig({ options: ['FailureLimit = 3', 'BanTime = 60'], knock: ['seq_timeout = 5'] }).replace('firewall = nftables', 'firewall = ipset');
    const daemon = await startPortcullis(lab, { config, stateDir });
    await daemon.waitForLine(/bans: kept in the kernel too \(ipset\)/, 10_000);
    const s = new Scene(lab, daemon, stateDir);
    const ip = s.ip('client');
    const member = async () => (await lab.exec('server', ['ipset', 'test', 'portcullis_ban4', ip])).code === 0;

    await s.knockOpen('client');
    await s.knockUntilBanned('client', 3);
    await waitFor('the ipset member', member, 3000);
    const saved = (await lab.mustExec('server', ['ipset', 'save', 'portcullis_ban4'])).stdout;
    const left = Number(/timeout (\d+)/.exec(saved.split('\n').find((l) => l.includes(ip)) ?? '')?.[1]);
    assert.ok(left > 50 && left <= 60, `the member's timeout: ${saved}`);
    assert.equal(await s.reaches('client'), false, 'banned, its grant lets nothing new in');
    assert.equal((await s.status()).bans?.kernel, 'ipset');

    assert.match(await s.cli('unban', ip), /lifted the ban/);
    assert.equal(await member(), false);
    assert.equal(await s.reaches('client'), true, 'unbanned, its grant works again');
  });
