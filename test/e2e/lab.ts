// The namespace lab: a server namespace and client namespaces on one
// Ethernet segment (a veth pair for one client, a bridge in the server
// namespace for several), optionally a second segment behind the server. Addresses are 10.x/24 and fd00::/64, no default
// route, no NAT, nothing shared with the host or with other labs, so tests
// can run side by side. Needs root and iproute2.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { LabProcess } from './lab/process.js';
import { run, mustSucceed, formatResult, type ExecOptions, type ExecResult } from './lab/run.js';
import { labName, removeNamespace, sweepStaleNamespaces } from './lab/names.js';
import { track, untrack } from './lab/cleanup.js';
import { LAB_TABLE, setElements, canonicalIp } from './lab/nft.js';
import { PROBE_SCRIPT, SERVICE_SCRIPT, parseProbe, type TcpProbe } from './lab/tcp.js';

export { LabProcess } from './lab/process.js';
export type { Line, ExitStatus } from './lab/process.js';
export { run, sleep, mustSucceed, formatResult, type ExecResult, type ExecOptions } from './lab/run.js';
export { labRuleset, canonicalIp, LAB_TABLE, type RulesetOptions } from './lab/nft.js';
export type { TcpProbe } from './lab/tcp.js';
export { labSkipReason } from './lab/skip.js';
export { listNamespaces } from './lab/names.js';

export interface LabOptions {
  /** Namespaces on the server's segment, addressed .2, .3, ... Default ['client']. */
  readonly clients?: readonly string[];
  /** Namespaces on a second segment behind the server, which routes between the two. */
  readonly inside?: readonly string[];
  /**
   * Join a segment's hosts with a bridge in the server namespace (`lan0`,
   * `lan1`) even when there is only one; otherwise a lone host is wired
   * straight to the server (`eth0`, `eth1`), like a server's own NIC.
   * Segments with several hosts always use a bridge.
   */
  readonly bridge?: boolean;
}

/** One namespace's address on one segment. */
export interface Host {
  readonly role: string;
  readonly ns: string;
  readonly iface: string;
  readonly ip4: string;
  readonly ip6: string;
}

interface Segment {
  /** The server's interface: the bridge, or its end of the single veth. */
  readonly iface: string;
  readonly bridged: boolean;
  readonly net4: string; // "10.a.b."
  readonly net6: string; // "fd00:r:n::"
}

const SERVER = 'server';

export class Lab {
  readonly tmp: string;
  /** The server on the clients' segment; `iface` is the interface a daemon listens on. */
  readonly server: Host;
  /** The server on the inside segment, when there is one. */
  readonly serverInside: Host | undefined;
  private readonly hosts = new Map<string, Host>();
  private readonly namespaces: string[];
  private readonly procs = new Set<LabProcess>();
  private readonly segments: { outside: Segment; inside: Segment };
  private destroyed = false;

  constructor(readonly name: string, private readonly opts: Required<LabOptions>) {
    this.namespaces = [SERVER, ...opts.clients, ...opts.inside].map((r) => `${name}-${r}`);
    this.tmp = mkdtempSync(join(tmpdir(), `${name}-`));
    const r8 = randomInt(16, 250);
    const r16 = randomInt(0x100, 0xffff).toString(16);
    const b = randomInt(0, 125) * 2;
    const segment = (n: 0 | 1, hosts: number): Segment => {
      const bridged = opts.bridge || hosts > 1;
      return { iface: bridged ? `lan${n}` : `eth${n}`, bridged, net4: `10.${r8}.${b + n}.`, net6: n === 0 ? `fd00:${r16}::` : `fd00:${r16}:1::` };
    };
    const outside = segment(0, opts.clients.length);
    const inside = segment(1, opts.inside.length);
    this.server = this.address(SERVER, outside.iface, outside, 1);
    this.serverInside = opts.inside.length > 0 ? this.address(SERVER, inside.iface, inside, 1) : undefined;
    opts.clients.forEach((role, i) => this.hosts.set(role, this.address(role, 'eth0', outside, i + 2)));
    opts.inside.forEach((role, i) => this.hosts.set(role, this.address(role, 'eth0', inside, i + 2)));
    this.hosts.set(SERVER, this.server);
    this.segments = { outside, inside };
  }

  /** The address of `role` (the server's clients-side address for 'server'). */
  host(role: string): Host {
    const h = this.hosts.get(role);
    if (!h) throw new Error(`lab ${this.name} has no host '${role}' (has ${[...this.hosts.keys()].join(', ')})`);
    return h;
  }

  ns(role: string): string {
    return this.host(role).ns;
  }

  /** Runs argv inside the namespace of `role` and collects its output. */
  exec(role: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    return run(['ip', 'netns', 'exec', this.ns(role), ...argv], opts);
  }

  /** Like exec, but throws (with the output) unless the command exits 0. */
  async mustExec(role: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    return mustSucceed(await this.exec(role, argv, opts));
  }

  /** Starts a long-running process inside `role`'s namespace; destroy() kills it. */
  spawn(role: string, argv: readonly string[], label = `${role}:${argv[0] ?? '?'}`): LabProcess {
    if (this.destroyed) throw new Error(`lab ${this.name} is destroyed`);
    const proc = new LabProcess(label, ['ip', 'netns', 'exec', this.ns(role), ...argv]);
    this.procs.add(proc);
    return proc;
  }

  /** Loads an nftables ruleset (e.g. labRuleset()) in `role`'s namespace. */
  async nftSetup(role: string, ruleset: string): Promise<void> {
    await this.mustExec(role, ['nft', '-f', '-'], { input: ruleset });
  }

  async nftElements(role: string, set: string, table = LAB_TABLE): Promise<string[]> {
    const r = await this.mustExec(role, ['nft', '-j', 'list', 'set', ...table.split(' '), set]);
    return setElements(r.stdout);
  }

  async nftHasElement(role: string, set: string, ip: string, table = LAB_TABLE): Promise<boolean> {
    const want = canonicalIp(ip);
    return (await this.nftElements(role, set, table)).some((e) => canonicalIp(e) === want);
  }

  /** A TCP connection attempt from `role` to host:port. */
  async tcpProbe(role: string, host: string, port: number, timeoutMs = 1000): Promise<TcpProbe> {
    const r = await this.exec(role, [process.execPath, '-e', PROBE_SCRIPT, host, String(port), String(timeoutMs)], {
      timeoutMs: timeoutMs + 15_000,
    });
    return parseProbe(r.stdout, r.stderr);
  }

  async tcpConnects(role: string, host: string, port: number, timeoutMs = 1000): Promise<boolean> {
    return (await this.tcpProbe(role, host, port, timeoutMs)).connected;
  }

  /** A TCP service on all addresses of `role` that writes "hello\n" and closes. */
  async startTcpService(role: string, port: number): Promise<LabProcess> {
    const proc = this.spawn(role, [process.execPath, '-e', SERVICE_SCRIPT, String(port)], `${role}:tcp-service:${port}`);
    await proc.waitForLine(/^listening on/, 15_000);
    return proc;
  }

  /** Kills every process in the lab's namespaces and deletes them. Safe to call twice. */
  async destroy(): Promise<void> {
    const exits = [...this.procs].map((p) => p.exited);
    this.destroySync();
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 3000).unref())]);
  }

  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    untrack(this);
    for (const p of this.procs) p.kill('SIGKILL');
    for (const ns of this.namespaces) removeNamespace(ns);
    rmSync(this.tmp, { recursive: true, force: true });
  }

  /** Builds the namespaces and links; called once by createLab. */
  async build(): Promise<void> {
    const { outside, inside } = this.segments;
    const ip = async (role: string, ...args: string[]) => {
      const r = await run(['ip', '-n', this.nsOf(role), ...args]);
      if (r.code !== 0) throw new Error(`lab ${this.name}: ${formatResult(r)}`);
    };
    for (const ns of this.namespaces) mustSucceed(await run(['ip', 'netns', 'add', ns]));
    for (const role of [SERVER, ...this.opts.clients, ...this.opts.inside]) await ip(role, 'link', 'set', 'lo', 'up');
    const segments: Array<[Segment, readonly string[]]> = [[outside, this.opts.clients]];
    if (this.opts.inside.length > 0) segments.push([inside, this.opts.inside]);
    let port = 0;
    for (const [seg, roles] of segments) {
      if (seg.bridged) {
        // No STP delay and no multicast snooping: ports forward at once and
        // neighbour discovery is never filtered.
        await ip(SERVER, 'link', 'add', seg.iface, 'type', 'bridge', 'forward_delay', '0', 'mcast_snooping', '0');
      }
      for (const role of roles) {
        const h = this.host(role);
        const peer = seg.bridged ? `p${port++}` : seg.iface;
        // Created directly inside the namespaces: names never meet the host's.
        await ip(role, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', peer, 'netns', this.nsOf(SERVER));
        if (seg.bridged) await ip(SERVER, 'link', 'set', peer, 'master', seg.iface, 'up');
        await ip(role, 'addr', 'add', `${h.ip4}/24`, 'dev', 'eth0');
        await ip(role, 'addr', 'add', `${h.ip6}/64`, 'dev', 'eth0', 'nodad');
        await ip(role, 'link', 'set', 'eth0', 'up');
      }
      await ip(SERVER, 'addr', 'add', `${seg.net4}1/24`, 'dev', seg.iface);
      await ip(SERVER, 'addr', 'add', `${seg.net6}1/64`, 'dev', seg.iface, 'nodad');
      await ip(SERVER, 'link', 'set', seg.iface, 'up');
    }
    if (this.serverInside) await this.route(ip);
    await this.waitReady();
  }

  // A new link's carrier reaches IPv6 through the kernel's link watcher, up to
  // a second later; until then the server ignores neighbour solicitations.
  // Every host pings the server on both families until it answers.
  private async waitReady(): Promise<void> {
    const pings: Array<Promise<void>> = [];
    for (const role of [...this.opts.clients, ...this.opts.inside]) {
      const target = this.opts.inside.includes(role) ? this.serverInside : this.server;
      if (!target) continue;
      for (const addr of [target.ip4, target.ip6]) {
        pings.push(
          this.exec(role, ['ping', '-n', '-q', '-c', '1', '-i', '0.2', '-w', '10', addr]).then((r) => {
            if (r.code !== 0) throw new Error(`lab ${this.name}: ${role} cannot reach ${addr}: ${formatResult(r)}`);
          }),
        );
      }
    }
    await Promise.all(pings);
  }

  // The server routes between the segments; hosts get routes to the other
  // segment only (still no default route).
  private async route(ip: (role: string, ...args: string[]) => Promise<void>): Promise<void> {
    const { outside, inside } = this.segments;
    const inner = this.serverInside;
    if (!inner) return;
    await this.mustExec(SERVER, ['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    for (const role of this.opts.clients) {
      await ip(role, 'route', 'add', `${inside.net4}0/24`, 'via', this.server.ip4);
      await ip(role, '-6', 'route', 'add', `${inside.net6}/64`, 'via', this.server.ip6);
    }
    for (const role of this.opts.inside) {
      await ip(role, 'route', 'add', `${outside.net4}0/24`, 'via', inner.ip4);
      await ip(role, '-6', 'route', 'add', `${outside.net6}/64`, 'via', inner.ip6);
    }
  }

  private nsOf(role: string): string {
    return `${this.name}-${role}`;
  }

  private address(role: string, iface: string, seg: Segment, n: number): Host {
    return { role, ns: this.nsOf(role), iface, ip4: `${seg.net4}${n}`, ip6: `${seg.net6}${n.toString(16)}` };
  }
}

/** Builds a lab; `testId` (a few letters) makes its namespaces recognisable. */
export async function createLab(testId: string, opts: LabOptions = {}): Promise<Lab> {
  sweepStaleNamespaces();
  const lab = new Lab(labName(testId), { clients: opts.clients ?? ['client'], inside: opts.inside ?? [], bridge: opts.bridge ?? false });
  track(lab);
  try {
    await lab.build();
  } catch (err) {
    await lab.destroy();
    throw err;
  }
  return lab;
}

export { REPO_ROOT, PORTCULLIS_BIN, portcullis, writeConfig, startPortcullis, startKnockd, portcullisKnock, debianKnock } from './lab/programs.js';
export type { ServeOptions } from './lab/programs.js';
export { waitFor } from './lab/wait.js';
export { labDoor, labConfig, doorEvent, escapeRegExp, type DoorOptions } from './lab/doors.js';
export { doorLab, expectOpened, expectShut, serverAddress, clientAddress, setFor, SERVICE_PORT, type DoorLab, type DoorLabOptions, type Family } from './lab/fixture.js';
