// The daemon's SPA side: datagrams to SPA ports (captured, or read from a
// bound socket) → the gate → a grant, with one log line per packet (through
// the daemon's rate-limited log gate) and counters by reason.
//
//   pcap:   capture (udp dst port P, nothing listens, the host stays silent) ─┐
//   socket: node:dgram bound to udp/P (IPv4 and IPv6; no capture privileges) ─┴─▶ SpaGate ─▶ open ─▶ grant (+ replay file)
//
// The grant does not wait for the replay file (its fsync costs ~5 ms): the
// file is marked running from start to a clean stop, and a start that finds
// the mark refuses every packet stamped before it (replay-cache.ts), so a
// crash between a grant and its write cannot make the packet usable again.
import type { Config, Door } from '../config/model.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import type { LogGate } from '../daemon/log-gate.js';
import { SpaGate, type GateOutcome, type SpaDatagram, type SpaGrant, type SpaRejectReason } from './gate.js';
import type { ReplayStore } from './replay-cache.js';
import type { SpaSocket, SpaSockets } from './sockets.js';
import type { SpaCommands } from './command-exec.js';

/** What an accepted SPA packet asks of the door's actions (src/grants/door-actions.ts). */
export type SpaGrantFn = (door: Door, address: string, family: 4 | 6, grant: SpaGrant) => void;

export interface SpaCounters {
  /** Datagrams to SPA ports. */
  packets: number;
  opens: number;
  /** Command messages started (enable_cmd_exec). */
  commands: number;
  refused: Record<SpaRejectReason, number>;
}

export interface SpaReceiverDeps {
  readonly replay: ReplayStore;
  readonly sockets: SpaSockets;
  readonly grant: SpaGrantFn;
  readonly clock: Clock;
  readonly log: Logger;
  /** The daemon's log gate: refusals are what an outsider can cause at packet rate. */
  readonly logGate: LogGate;
  readonly counters: SpaCounters;
  /** knockd -4: no IPv6 socket. */
  readonly ipv4Only: boolean;
  /** Runs command messages of enable_cmd_exec doors (command-exec.ts); none: they are refused. */
  readonly commands?: SpaCommands;
  /** The daemon's ban authority (src/bans/): a banned source's datagrams are dropped before the gate; refusals are reported. */
  readonly bans?: SpaBanHook;
}

/** What the receiver asks of the ban authority (src/daemon/daemon.ts wires it). */
export interface SpaBanHook {
  /** O(1); true: drop the datagram unread. */
  isBanned(src: string, now: number): boolean;
  /** A refused packet (the authority decides which reasons count, src/bans/reasons.ts). */
  onRejected(src: string, reason: string, now: number): void;
}

/** SPA doors of a configuration. */
export function spaDoors(doors: readonly Door[]): Door[] {
  return doors.filter((d) => d.spa !== undefined);
}

/** The doors the Doorkeeper gets: knock doors only. */
export function knockDoors(doors: readonly Door[]): Door[] {
  return doors.filter((d) => d.spa === undefined);
}

export class SpaReceiver {
  private readonly gate: SpaGate;
  private maxAgeMs: number;
  /** UDP ports of every SPA door (either way of listening): never a knock, never a decoy. */
  private ports = new Set<number>();
  private readonly sockets = new Map<number, SpaSocket>();
  private stopped = false;
  private loaded = false;

  constructor(config: Config, private readonly deps: SpaReceiverDeps) {
    this.maxAgeMs = config.options.maxSpaPacketAgeMs;
    this.gate = new SpaGate(config.doors, this.maxAgeMs, deps.replay);
    this.ports = portsOf(config.doors);
  }

  /** Loads the replay cache and binds the sockets of `spa_listen = socket` doors; throws if one cannot be bound. */
  async start(config: Config): Promise<void> {
    if (spaDoors(config.doors).length === 0) return;
    this.loadReplay();
    await this.bindSockets(config.doors, true);
    for (const d of spaDoors(config.doors)) {
      const s = d.spa!;
      this.deps.log.info(`${d.name}: SPA on udp/${s.port} (${s.listen === 'pcap' ? 'captured, nothing listens' : 'bound socket'}), may open ${s.openPorts.map((p) => `${p.proto}/${p.port}`).join(', ')}`);
    }
  }

  /** A reload: new doors, sockets bound or closed as their ports change; the replay cache stays. */
  async reconfigure(config: Config): Promise<void> {
    this.maxAgeMs = config.options.maxSpaPacketAgeMs;
    this.gate.reconfigure(config.doors, this.maxAgeMs);
    this.ports = portsOf(config.doors);
    if (this.ports.size > 0) this.loadReplay();
    await this.bindSockets(config.doors, false);
  }

  /** Whether a UDP packet to `port` belongs to SPA (the Doorkeeper never sees it). */
  owns(port: number): boolean {
    return this.ports.has(port);
  }

  /** A captured datagram to an SPA port (already known to be for this host). */
  onCaptured(d: Omit<SpaDatagram, 'via'>): void {
    if (!this.gate.handles(d.port, 'pcap')) return; // a socket door's port: its socket has the datagram
    this.onDatagram({ ...d, via: 'pcap' });
  }

  /** Drops replay entries no replay could use any more (called from the daemon's periodic refresh). */
  tick(now: number): void {
    this.deps.replay.prune(now, this.maxAgeMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
    await this.deps.commands?.stop();
    await this.deps.replay.close();
  }

  /** Once, when the first SPA door appears (at start, or a reload that adds one). */
  private loadReplay(): void {
    if (this.loaded) return;
    this.loaded = true;
    this.deps.replay.load(this.deps.clock.now(), this.maxAgeMs);
  }

  private onDatagram(d: SpaDatagram): void {
    if (this.stopped) return;
    const c = this.deps.counters;
    const now = this.deps.clock.now();
    if (this.deps.bans?.isBanned(d.src, now)) return; // counted by the daemon (ignored: banned)
    c.packets++;
    const o = this.gate.check(d, now);
    const log = this.deps.log;
    const refused = o.kind === 'command' ? this.startCommand(o, d.src) : o.kind === 'reject' ? o : undefined;
    if (o.kind === 'command') { if (!refused) { c.commands++; return; } }
    if (refused) {
      const o = refused;
      c.refused[o.reason]++;
      this.deps.bans?.onRejected(d.src, o.reason, now);
      // A second copy of an accepted packet (a bridge) is not news: counted, logged at debug only.
      const level = o.reason === 'repeat' ? 'debug' : 'info';
      if (level === 'debug' || this.deps.logGate.allow(now)) {
        const where = o.door ? o.door.name : `udp/${d.port}`;
        log[level](`${d.src}: ${where}: SPA packet refused (${o.reason}): ${o.detail}`,
          ev('spa.reject', { src: d.src, reason: o.reason, ...(o.door && { door: o.door.name }), detail: o.detail }));
      }
      return;
    }
    if (o.kind !== 'open') return;
    c.opens++;
    const what = [...o.services.map((s) => `${s.proto}/${s.port}`), ...o.forwards.map((f) => `${f.proto}/${f.port} -> ${f.family === 6 ? `[${f.host}]` : f.host}:${f.hostPort}`)].join(', ');
    const seconds = o.timeoutMs / 1000;
    log.info(`${d.src}: ${o.door.name}: SPA packet accepted (user ${o.username}), opening ${what} for ${o.address} for ${seconds} s`,
      ev('spa.accept', { src: d.src, door: o.door.name, user: o.username, ip: o.address, ports: what, seconds }));
    // Granted at once; the digest follows to disk (see the top of this file).
    this.deps.grant(o.door, o.address, o.family, { services: o.services, forwards: o.forwards, timeoutMs: o.timeoutMs });
  }

  /** A command message the gate accepted: started, or why not. */
  private startCommand(o: Extract<GateOutcome, { kind: 'command' }>, src: string): { reason: SpaRejectReason; door: Door; detail: string } | undefined {
    const r = this.deps.commands
      ? this.deps.commands.start({ door: o.door, argv: o.argv, address: o.address, src }, this.deps.logGate)
      : { reason: 'command' as const, detail: 'this daemon runs no SPA commands' };
    return r && { ...r, door: o.door };
  }

  private async bindSockets(doors: readonly Door[], atStart: boolean): Promise<void> {
    const wanted = new Set(spaDoors(doors).filter((d) => d.spa!.listen === 'socket').map((d) => d.spa!.port));
    for (const [port, s] of this.sockets) {
      if (!wanted.has(port)) { s.close(); this.sockets.delete(port); }
    }
    for (const port of wanted) {
      if (this.sockets.has(port)) continue;
      try {
        const s = await this.deps.sockets.bind(port, this.deps.ipv4Only,
          (payload, src, family) => this.onDatagram({ payload, src, family, port, via: 'socket' }),
          (err) => this.deps.log.error(`SPA socket udp/${port}: ${err.message}`, ev('spa.error', { port, error: err.message })),
          (warning) => this.deps.log.warn(`SPA socket udp/${port}: ${warning}`));
        if (this.stopped) { s.close(); return; }
        this.sockets.set(port, s);
        this.deps.log.info(`SPA: listening on udp/${port} (spa_listen = socket)`, ev('spa.listen', { port, mode: 'socket' }));
      } catch (err) {
        const message = `cannot bind udp/${port} for SPA (spa_listen = socket): ${(err as Error).message}`;
        if (atStart) throw new Error(message);
        this.deps.log.error(`${message}; its doors receive nothing until a reload binds it`, ev('spa.error', { port, error: message }));
      }
    }
  }
}

function portsOf(doors: readonly Door[]): Set<number> {
  return new Set(spaDoors(doors).map((d) => d.spa!.port));
}

export function newSpaCounters(reasons: readonly SpaRejectReason[]): SpaCounters {
  return { packets: 0, opens: 0, commands: 0, refused: Object.fromEntries(reasons.map((r) => [r, 0])) as Record<SpaRejectReason, number> };
}
