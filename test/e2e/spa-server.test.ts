// SPA doors end to end: the real fwknop 2.6.10 client (Debian's fwknop-client)
// in a client namespace, `portcullis serve` with an SPA door `open_ports =
// tcp/22` on the nftables backend (self-contained: the port is dropped by
// Portcullis's own table for every source without a grant) in the server
// namespace. The client's packet opens tcp/22 for it; a replay (the same
// datagram sent again, also after a restart on the same state directory), a
// stale packet, a wrong HMAC key, a port outside open_ports and `-s` with
// require_source_address are each refused — checked by the daemon's log line
// (its reason) and by the client not getting in. Then the same with
// `spa_listen = socket`, gateway NAT (fwknop -N), and IPv6 with `portcullis spa -s`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, escapeRegExp, labConfig, labSkipReason, portcullis, sleep, startPortcullis, waitFor, type Lab, type LabProcess } from './lab.js';

// fwknop --key-gen output (fwknop-run.md, set "A").
const KEY = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const HMAC = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';
const WRONG_HMAC = 'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=';
const GRANT_SECONDS = 3;

function config(extra: readonly string[] = []): string {
  // BanTime = 0: these tests provoke refusal after refusal from one client, and refused SPA packets
  // count towards a ban (FailureLimit, src/bans/), which would drop the later ones (bans.test.ts).
  return labConfig(['firewall = nftables', 'BanTime = 0'], [
    '[ssh-spa]',
    `    key_base64        = ${KEY}`,
    `    hmac_key_base64   = ${HMAC}`,
    '    open_ports        = tcp/22',
    `    fw_access_timeout = ${GRANT_SECONDS}`,
    ...extra.map((l) => `    ${l}`),
    '',
  ].join('\n'));
}

/** Sends one UDP datagram (argv[1], latin1) to argv[2]:argv[3]; exits when it is out. */
const SEND_UDP = `
const s = require('node:dgram').createSocket('udp4');
s.send(Buffer.from(process.argv[1], 'latin1'), Number(process.argv[3]), process.argv[2], (err) => { s.close(); if (err) { console.error(err.message); process.exit(1); } });
`;

class Scene {
  private runs = 0;
  constructor(readonly lab: Lab, readonly home: string) {}

  get client(): string { return this.lab.host('client').ip4; }
  get server(): string { return this.lab.server.ip4; }

  /** The real fwknop client in the client namespace; returns the packet it sent (saved with -B). */
  async fwknop(args: readonly string[], keys: { hmac?: string } = {}): Promise<string> {
    const saved = join(this.home, `packet-${++this.runs}.txt`);
    await this.lab.mustExec('client', [
      'fwknop', '--no-save-args', '--no-rc-file', '-D', this.server,
      '--key-base64-rijndael', KEY, '--key-base64-hmac', keys.hmac ?? HMAC, '--use-hmac', '-B', saved, ...args,
    ], { env: { ...process.env, HOME: this.home }, timeoutMs: 20_000 });
    return readFileSync(saved, 'latin1').trim();
  }

  /** Sends `packet` as one datagram from the client namespace (a replay). */
  async send(packet: string, port = 62201): Promise<void> {
    await this.lab.mustExec('client', [process.execPath, '-e', SEND_UDP, packet, this.server, String(port)], { timeoutMs: 10_000 });
  }

  reach(): Promise<boolean> {
    return this.lab.tcpConnects('client', this.server, 22, 700);
  }

  /** Waits for the daemon's refusal line with `reason`, then checks the client is still kept out. */
  async refused(daemon: LabProcess, since: number, reason: string): Promise<void> {
    await daemon.waitForLine(new RegExp(`${escapeRegExp(this.client)}: ssh-spa: SPA packet refused \\(${escapeRegExp(reason)}\\)`), 5000, since);
    await sleep(200);
    assert.equal(await this.reach(), false, `refused (${reason}), yet the client got in\n${daemon.output()}`);
  }

  async opened(daemon: LabProcess, since: number): Promise<void> {
    await daemon.waitForLine(new RegExp(`${escapeRegExp(this.client)}: ssh-spa: opened tcp/22 for ${GRANT_SECONDS} s`), 5000, since);
    assert.equal(await this.reach(), true, `the SPA packet was accepted, yet the client cannot connect\n${daemon.output()}`);
  }

  async closedAgain(): Promise<void> {
    await waitFor('the SPA grant to end', async () => !(await this.reach()), GRANT_SECONDS * 1000 + 4000);
  }
}

async function scene(id: string, t: { after(fn: () => Promise<void>): void }): Promise<Scene> {
  const lab = await createLab(id, { clients: ['client', 'other'] });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  const home = join(lab.tmp, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return new Scene(lab, home);
}

test('pcap: the real fwknop client opens tcp/22; replay, stale, wrong key, wrong port and -s are refused; a replay stays refused after a restart',
  { skip: labSkipReason(['fwknop', 'nft']), timeout: 90_000 }, async (t) => {
    const s = await scene('spapcap', t);
    const stateDir = join(s.lab.tmp, 'state');
    let daemon = await startPortcullis(s.lab, { config: config(), stateDir });
    await daemon.waitForLine(/ssh-spa: SPA on udp\/62201 \(captured, nothing listens\)/, 5000);
    assert.equal(await s.reach(), false, 'tcp/22 is protected before any SPA packet');

    // Refusals first, while the client has no grant: each leaves it outside.
    let mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/22', '-a', s.client, '--time-offset-minus', '5min']);
    await s.refused(daemon, mark, 'stale');
    mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/22', '-a', s.client], { hmac: WRONG_HMAC });
    await s.refused(daemon, mark, 'bad-hmac');
    mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/23', '-a', s.client]);
    await s.refused(daemon, mark, 'port-not-allowed');
    mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/22', '-s']);
    await s.refused(daemon, mark, 'source-required');
    mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/22', '-a', s.lab.host('other').ip4]);
    await s.refused(daemon, mark, 'source-mismatch');
    assert.equal(await s.lab.tcpConnects('other', s.server, 22, 700), false, 'the address in the message was not let in either');

    // The real client's packet opens the door for the client only, for fw_access_timeout.
    mark = daemon.mark();
    const packet = await s.fwknop(['-A', 'tcp/22', '-a', s.client]);
    await s.opened(daemon, mark);
    assert.equal(await s.lab.tcpConnects('other', s.server, 22, 700), false, 'another address stays out');
    await s.closedAgain();

    // The same datagram again: a replay.
    mark = daemon.mark();
    await s.send(packet);
    await s.refused(daemon, mark, 'replay');

    // A restart on the same state directory does not reopen the replay window.
    await daemon.stop('SIGTERM');
    daemon = await startPortcullis(s.lab, { config: config(), stateDir });
    mark = daemon.mark();
    await s.send(packet);
    await s.refused(daemon, mark, 'replay');
    assert.match(readFileSync(join(stateDir, 'spa-replay.json'), 'utf8'), /"version":1/);

    // And a fresh packet still opens it.
    mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/22', '-a', s.client]);
    await s.opened(daemon, mark);
    await daemon.stop('SIGTERM');
  });

test('spa_listen = socket: the daemon binds the port and reads SPA packets from it; the real client opens the door, a replay and a stale packet are refused',
  { skip: labSkipReason(['fwknop', 'nft']), timeout: 60_000 }, async (t) => {
    const s = await scene('spasock', t);
    const daemon = await startPortcullis(s.lab, { config: config(['spa_port = 62202', 'spa_listen = socket']) });
    await daemon.waitForLine(/SPA: listening on udp\/62202 \(spa_listen = socket\)/, 5000);
    const sockets = await s.lab.mustExec('server', ['ss', '-Hulnp', 'sport = :62202']);
    assert.match(sockets.stdout, /62202/, 'bound');
    assert.equal(await s.reach(), false);

    let mark = daemon.mark();
    const packet = await s.fwknop(['-A', 'tcp/22', '-a', s.client, '-p', '62202']);
    await s.opened(daemon, mark);
    await s.closedAgain();
    mark = daemon.mark();
    await s.send(packet, 62202);
    await s.refused(daemon, mark, 'replay');
    mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/22', '-a', s.client, '-p', '62202', '--time-offset-plus', '5min']);
    await s.refused(daemon, mark, 'stale');
    await daemon.stop('SIGTERM');
  });

test('NAT access (fwknop -N): a request matching the door\'s forward rule reaches the inside host through the gateway; another is refused',
  { skip: labSkipReason(['fwknop', 'nft']), timeout: 60_000 }, async (t) => {
    const lab = await createLab('spanat', { clients: ['client', 'other'], inside: ['inside'] });
    t.after(() => lab.destroy());
    await lab.startTcpService('inside', 3389);
    const home = join(lab.tmp, 'home');
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const s = new Scene(lab, home);
    const inside = lab.host('inside').ip4;
    const text = labConfig(['firewall = nftables'], [
      '[ssh-spa]',
      `    key_base64        = ${KEY}`,
      `    hmac_key_base64   = ${HMAC}`,
      `    forward           = tcp/13389 -> ${inside}:3389`,
      `    fw_access_timeout = ${GRANT_SECONDS}`,
      '',
    ].join('\n'));
    const daemon = await startPortcullis(lab, { config: text });
    const viaGateway = (role: string) => lab.tcpProbe(role, lab.server.ip4, 13389, 800);
    assert.equal((await viaGateway('client')).connected, false, 'no DNAT without a grant');

    let mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/13389', '-a', s.client, '-N', `${inside}:22`]);
    await s.refused(daemon, mark, 'forward-not-allowed');
    assert.equal((await viaGateway('client')).connected, false, 'refused: still no DNAT');
    mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/13389', '-a', s.client, '-N', `${inside}:3389`]);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(s.client)}: ssh-spa: opened tcp/13389->${escapeRegExp(inside)}:3389 for ${GRANT_SECONDS} s`), 5000, mark);
    assert.deepEqual(await viaGateway('client'), { connected: true, reply: 'hello\n' }, `the client reaches the inside service\n${daemon.output()}`);
    assert.equal((await viaGateway('other')).connected, false, 'another source gets no DNAT');
    await waitFor('the forward grant to expire', async () => !(await viaGateway('client')).connected, GRANT_SECONDS * 1000 + 4000);
    await daemon.stop('SIGTERM');
  });

test('IPv6 (portcullis spa as the client; SPA messages carry IPv4 only): with require_source_address = no, -s grants the IPv6 source; yes refuses it',
  { skip: labSkipReason(['nft']), timeout: 60_000 }, async (t) => {
    const lab = await createLab('spav6', { clients: ['client'] });
    t.after(() => lab.destroy());
    await lab.startTcpService('server', 22);
    const client6 = lab.host('client').ip6;
    const server6 = lab.server.ip6;
    const spa = (port: number) => lab.mustExec('client', portcullis('spa', '--no-rc-file', '-A', 'tcp/22', '-s', '-D', server6, '-p', String(port),
      '--key-base64-rijndael', KEY, '--key-base64-hmac', HMAC), { env: { ...process.env, HOME: lab.tmp }, timeoutMs: 20_000 });
    const text = config(['require_source_address = no']) + [
      '[strict]',
      '    key = another-passphrase',
      `    hmac_key_base64 = ${HMAC}`,
      '    spa_port = 62203',
      '    open_ports = tcp/22',
      '',
    ].join('\n');
    const daemon = await startPortcullis(lab, { config: text });
    const reach6 = () => lab.tcpConnects('client', server6, 22, 700);
    assert.equal(await reach6(), false, 'tcp/22 is protected over IPv6 too');

    let mark = daemon.mark();
    await lab.mustExec('client', portcullis('spa', '--no-rc-file', '-A', 'tcp/22', '-s', '-D', server6, '-p', '62203',
      '--key-rijndael', 'another-passphrase', '--key-base64-hmac', HMAC), { env: { ...process.env, HOME: lab.tmp }, timeoutMs: 20_000 });
    await daemon.waitForLine(new RegExp(`${escapeRegExp(client6)}: strict: SPA packet refused \\(source-required\\)`), 5000, mark);
    assert.equal(await reach6(), false);

    mark = daemon.mark();
    await spa(62201);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(client6)}: ssh-spa: opened tcp/22 for ${GRANT_SECONDS} s`), 5000, mark);
    assert.equal(await reach6(), true, `the IPv6 source is let in\n${daemon.output()}`);
    assert.equal(await lab.tcpConnects('client', lab.server.ip4, 22, 700), false, 'only the address that sent the packet');
    await daemon.stop('SIGTERM');
  });

test('kill -9 right after a grant: the restarted daemon refuses that packet (and any stamped before the restart), a fresh one still opens',
  { skip: labSkipReason(['fwknop', 'nft']), timeout: 60_000 }, async (t) => {
    const s = await scene('spakill', t);
    const stateDir = join(s.lab.tmp, 'state');
    let daemon = await startPortcullis(s.lab, { config: config(), stateDir });
    await daemon.waitForLine(/ssh-spa: SPA on udp\/62201/, 5000);
    let mark = daemon.mark();
    const packet = await s.fwknop(['-A', 'tcp/22', '-a', s.client]);
    await s.opened(daemon, mark);
    // No clean stop: whether the digest reached the disk is left to chance.
    daemon.kill('SIGKILL');
    await daemon.exited;
    daemon = await startPortcullis(s.lab, { config: config(), stateDir });
    await daemon.waitForLine(/did not stop cleanly/, 5000);
    // The grant itself lives on in the kernel until it expires; what matters is that the packet is refused.
    const client = escapeRegExp(s.client);
    mark = daemon.mark();
    await s.send(packet);
    await daemon.waitForLine(new RegExp(`${client}: ssh-spa: SPA packet refused \\((replay|replay-unknown)\\)`), 5000, mark);
    // Clocks tick in whole seconds: a fresh packet is stamped after the restart.
    await sleep(1100);
    mark = daemon.mark();
    await s.fwknop(['-A', 'tcp/22', '-a', s.client]);
    await daemon.waitForLine(new RegExp(`${client}: ssh-spa: SPA packet accepted`), 5000, mark);
    await daemon.stop('SIGTERM');
  });
