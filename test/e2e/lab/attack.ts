// The scene of the attack suite (test/e2e/attack-*.test.ts): a server with a
// knock door and an SPA door that both open tcp/22 through the nftables
// backend (Portcullis's own table drops tcp/22 for everyone without a grant),
// a service on tcp/22, and client namespaces for the legitimate knocker, the
// legitimate SPA client and the attacker. What a test checks is the grants
// in the daemon's status report, its log lines and a real connection to the
// service; memory comes from /proc.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, type Lab } from '../lab.js';
import type { LabProcess, Line } from './process.js';
import { portcullis, startPortcullis } from './programs.js';
import { mustSucceed, run, sleep } from './run.js';
import { readMemory, type Memory } from './memory.js';
import { escapeRegExp } from './doors.js';
import { waitFor } from './wait.js';
import type { StatusReport } from '../../../src/control/types.js';

// fwknop --key-gen output (fwknop-run.md, set "A").
export const SPA_KEY = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
export const SPA_HMAC = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';
export const SPA_PORT = 62201;
export const KNOCK_PORTS = [7000, 8000, 9000] as const;
export const SERVICE = 22;
export const KNOCK_DOOR = 'knock';
export const SPA_DOOR = 'ssh-spa';

/** A second SPA door on a bound socket (`spa_listen = socket`) at `port`, opening the same service. */
export function socketSpaDoor(port: number): string {
  return [
    '[socket-spa]',
    `    key_base64        = ${SPA_KEY}`,
    `    hmac_key_base64   = ${SPA_HMAC}`,
    `    spa_port          = ${port}`,
    '    spa_listen        = socket',
    `    open_ports        = tcp/${SERVICE}`,
    '',
  ].join('\n');
}

export interface AttackOptions {
  /** A few letters for the namespace names (the suite uses at1, at2, ...). */
  readonly id: string;
  readonly clients: readonly string[];
  /** Lines for [options] besides `firewall = nftables`. */
  readonly options?: readonly string[];
  /** Extra lines for the knock door, e.g. `allow_duplicates = yes`. */
  readonly knock?: readonly string[];
  readonly spa?: readonly string[];
  /** More door sections, appended as they are. */
  readonly doors?: string;
}

export function attackConfig(o: Omit<AttackOptions, 'id' | 'clients'>): string {
  return [
    '[options]',
    '    firewall = nftables',
    ...(o.options ?? []).map((l) => `    ${l}`),
    '',
    `[${KNOCK_DOOR}]`,
    `    sequence     = ${KNOCK_PORTS.join(',')}`,
    '    seq_timeout  = 10',
    '    tcpflags     = syn',
    `    open         = tcp/${SERVICE}`,
    '    open_timeout = 60',
    ...(o.knock ?? []).map((l) => `    ${l}`),
    '',
    `[${SPA_DOOR}]`,
    `    key_base64        = ${SPA_KEY}`,
    `    hmac_key_base64   = ${SPA_HMAC}`,
    `    open_ports        = tcp/${SERVICE}`,
    '    fw_access_timeout = 60',
    ...(o.spa ?? []).map((l) => `    ${l}`),
    '',
    o.doors ?? '',
  ].join('\n');
}

// argv: PAYLOAD (latin1) HOST PORT. Exits once the datagram is out.
const SEND_UDP = `
const s = require('node:dgram').createSocket('udp4');
s.send(Buffer.from(process.argv[1], 'latin1'), Number(process.argv[3]), process.argv[2], (err) => { s.close(); if (err) { console.error(err.message); process.exit(1); } });
`;

export class AttackScene {
  private fwknopRuns = 0;
  constructor(readonly lab: Lab, readonly daemon: LabProcess, readonly stateDir: string, readonly home: string) {}

  get control(): string {
    return join(this.stateDir, 'control.sock');
  }

  ip(role: string): string {
    return this.lab.host(role).ip4;
  }

  /** The daemon's status report over its control socket. */
  async status(): Promise<StatusReport> {
    const r = mustSucceed(await run(portcullis('status', '--json', '--control-socket', this.control), { timeoutMs: 30_000 }));
    return JSON.parse(r.stdout) as StatusReport;
  }

  /** The doors that have a grant open for `role` now. */
  async grantsOf(role: string): Promise<string[]> {
    const ip = this.ip(role);
    return (await this.status()).grants.filter((g) => g.address === ip).map((g) => g.door).sort();
  }

  /** Closes `role`'s grants now, so the next legitimate attempt has to open the door again. */
  async revoke(role: string): Promise<void> {
    mustSucceed(await run(portcullis('revoke', this.ip(role), '--control-socket', this.control), { timeoutMs: 30_000 }));
    await waitFor(`${role}'s grants to close`, async () => !(await this.reaches(role)), 5000);
  }

  reaches(role: string): Promise<boolean> {
    return this.lab.tcpConnects(role, this.lab.server.ip4, SERVICE, 1500);
  }

  /** `portcullis knock` of the knock door's sequence (or `ports`) from `role`; client options in `args`. */
  async knock(role: string, args: readonly string[] = [], ports: readonly number[] = KNOCK_PORTS): Promise<void> {
    mustSucceed(await this.lab.exec(role, portcullis('knock', ...args, this.lab.server.ip4, ...ports.map(String)), { timeoutMs: 30_000 }));
  }

  /** The real fwknop client from `role`, asking for tcp/22 for its own address; returns the packet it sent. */
  async fwknop(role: string, args: readonly string[] = []): Promise<string> {
    const saved = join(this.home, `packet-${++this.fwknopRuns}.txt`);
    mustSucceed(await this.lab.exec(role, [
      'fwknop', '--no-save-args', '--no-rc-file', '-D', this.lab.server.ip4, '-A', `tcp/${SERVICE}`, '-a', this.ip(role),
      '--key-base64-rijndael', SPA_KEY, '--key-base64-hmac', SPA_HMAC, '--use-hmac', '-B', saved, ...args,
    ], { env: { ...process.env, HOME: this.home }, timeoutMs: 30_000 }));
    return readFileSync(saved, 'latin1').trim();
  }

  /** One UDP datagram with exactly `payload` from `role`'s own address (its own socket) to the SPA port. */
  async sendUdp(role: string, payload: Buffer | string, port = SPA_PORT): Promise<void> {
    const bytes = typeof payload === 'string' ? payload : payload.toString('latin1');
    mustSucceed(await this.lab.exec(role, [process.execPath, '-e', SEND_UDP, bytes, this.lab.server.ip4, String(port)], { timeoutMs: 15_000 }));
  }

  /** The knock door's OPEN SESAME line for `role` (from `since` on). */
  knockOpened(role: string, since: number, timeoutMs = 10_000): Promise<Line> {
    return this.daemon.waitForLine(new RegExp(`(^|\\s)${escapeRegExp(this.ip(role))}: ${KNOCK_DOOR}: OPEN SESAME`), timeoutMs, since);
  }

  spaAccepted(role: string, since: number, timeoutMs = 10_000): Promise<Line> {
    return this.daemon.waitForLine(new RegExp(`(^|\\s)${escapeRegExp(this.ip(role))}: ${SPA_DOOR}: SPA packet accepted`), timeoutMs, since);
  }

  spaRefused(role: string, reason: string, since: number, timeoutMs = 10_000): Promise<Line> {
    return this.daemon.waitForLine(new RegExp(`(^|\\s)${escapeRegExp(this.ip(role))}: (${SPA_DOOR}|udp/${SPA_PORT}): SPA packet refused \\(${escapeRegExp(reason)}\\)`), timeoutMs, since);
  }

  /** `door` has a grant for `role` and `role` reaches the service. */
  async expectGrant(role: string, door: string): Promise<void> {
    await waitFor(`a ${door} grant for ${role}\n${this.daemon.output()}`, async () => (await this.grantsOf(role)).includes(door), 10_000, 200);
    assert.equal(await this.reaches(role), true, `${role} has a ${door} grant, yet cannot reach tcp/${SERVICE}\n${this.daemon.output()}`);
  }

  /** No grant at all for `role`, and tcp/22 stays shut to it. */
  async expectNoGrant(role: string): Promise<void> {
    assert.deepEqual(await this.grantsOf(role), [], `${role} was granted access\n${this.daemon.output()}`);
    assert.equal(await this.reaches(role), false, `${role} reached tcp/${SERVICE} without a grant`);
  }

  /**
   * One knock from `knocker` and one SPA packet from `spa`, both opened and
   * revoked, then the memory figures: the baseline of a memory bound holds
   * the code paths and buffers a grant takes, not only a fresh start's.
   */
  async warmUp(knocker: string, spa: string): Promise<Memory> {
    const mark = this.daemon.mark();
    await this.knock(knocker);
    await this.knockOpened(knocker, mark);
    await this.fwknop(spa);
    await this.spaAccepted(spa, mark);
    await this.expectGrant(knocker, KNOCK_DOOR);
    await this.expectGrant(spa, SPA_DOOR);
    await this.revoke(knocker);
    await this.revoke(spa);
    await sleep(1000);
    return this.memory();
  }

  memory(): Memory {
    const pid = this.daemon.pid;
    if (pid === undefined || !this.daemon.running) throw new Error(`the daemon is not running\n${this.daemon.output()}`);
    return readMemory(pid);
  }
}

/** Builds the scene; the lab is destroyed when the test ends. */
export async function attackScene(t: TestContext, o: AttackOptions): Promise<AttackScene> {
  const lab = await createLab(o.id, { clients: o.clients, bridge: true });
  t.after(() => lab.destroy());
  await lab.startTcpService('server', SERVICE);
  const stateDir = join(lab.tmp, 'state');
  const home = join(lab.tmp, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const daemon = await startPortcullis(lab, { config: attackConfig(o), stateDir });
  await daemon.waitForLine(new RegExp(`${SPA_DOOR}: SPA on udp/${SPA_PORT}`), 10_000);
  return new AttackScene(lab, daemon, stateDir, home);
}

/** The MAC address of `iface` in `role`'s namespace (frames sent to it reach the namespace's IP stack). */
export async function macOf(lab: Lab, role: string, iface: string): Promise<string> {
  const r = mustSucceed(await run(['ip', '-j', '-n', lab.ns(role), 'link', 'show', iface]));
  const [link] = JSON.parse(r.stdout) as Array<{ address: string }>;
  if (!link) throw new Error(`no ${iface} in ${role}`);
  return link.address;
}
