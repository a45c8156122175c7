// The daemon's side of the control socket: the status report built from the
// Daemon and its grant holders, revoke across all of them, reload as SIGHUP.
import { VERSION } from '../cli/main.js';
import type { Door, Options } from '../config/model.js';
import { startControlSocket, type ControlService } from '../control/service.js';
import { resolveControlSocket } from '../control/socket-path.js';
import type {
  ActiveGrant, BanReport, ControlHandler, DoorStatus, GrantControl, GrantStatus, ReloadOutcome, StatusReport,
} from '../control/types.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import type { Daemon } from './daemon.js';
import type { BanReport as DaemonBanReport, DaemonBans } from '../bans/daemon-bans.js';

export interface ControlHandlerDeps {
  readonly daemon: Pick<Daemon, 'statusSnapshot'> & { readonly bans?: Pick<DaemonBans, 'unban'> };
  /** Every holder of grants: command grants, the firewall grants. */
  readonly grants: readonly GrantControl[];
  /** The SIGHUP reload: validates the file first, keeps the running config on errors. */
  readonly reload: () => ReloadOutcome | Promise<ReloadOutcome>;
  readonly configPath: string;
  readonly clock: Clock;
  readonly log: Logger;
}

export function daemonControlHandler(deps: ControlHandlerDeps): ControlHandler {
  const startedAt = deps.clock.now();
  return {
    status: () => {
      const now = deps.clock.now();
      const grants = deps.grants.flatMap((g) => g.active());
      return buildStatus(deps.daemon.statusSnapshot(), grants, { now, startedAt, config: deps.configPath, pid: process.pid });
    },
    revoke: async (address) => {
      const counts = await Promise.all(deps.grants.map((g) => g.revoke(address)));
      const total = counts.reduce((a, b) => a + b, 0);
      deps.log.info(`control: revoke ${address ?? '--all'}: ${total} grant(s) closed`, ev('control.revoke', { ip: address ?? 'all', count: total }));
      return total;
    },
    reload: () => deps.reload(),
    // Logged once by the ban authority (src/bans/ban-log.ts, event ban.lift).
    ...(deps.daemon.bans && { unban: (address: string | undefined) => deps.daemon.bans!.unban(address) }),
  };
}

type Snapshot = Omit<ReturnType<Daemon['statusSnapshot']>, 'bans'> & { readonly bans?: DaemonBanReport };

interface ReportMeta {
  readonly now: number;
  readonly startedAt: number;
  readonly config: string;
  readonly pid: number;
}

/** The report, from copies of the daemon's state. Pure. */
export function buildStatus(snap: Snapshot, grants: readonly ActiveGrant[], meta: ReportMeta): StatusReport {
  const c = snap.counters;
  return {
    version: VERSION,
    pid: meta.pid,
    now: meta.now,
    startedAt: meta.startedAt,
    config: meta.config,
    doors: snap.doors.map((d) => doorStatus(d, snap.attemptsByDoor)),
    grants: grants.map((g) => withTimeLeft(g, meta.now)).sort(soonestFirst),
    attempts: { inFlight: snap.tables.attempts, max: snap.options.maxAttempts },
    sources: { banned: snap.tables.banned, failing: snap.tables.failing, evictions: snap.tables.evictions },
    counters: {
      packets: c.packets, knocks: c.knocks, opens: c.opens, failures: c.failures, decoyHits: c.decoyHits,
      timeouts: c.timeouts, evictions: c.evictions, bans: c.bans, ignored: { ...c.ignored },
      spa: { packets: c.spa.packets, opens: c.spa.opens, refused: { ...c.spa.refused }, commands: c.spa.commands },
    },
    ...(snap.bans && { bans: banStatus(snap.bans, meta.now) }),
  };
}

function banStatus(b: DaemonBanReport, now: number): BanReport {
  return {
    total: b.total, active: b.bans.length, lifted: b.lifted, expired: b.expired, exempted: b.exempted,
    ...(b.kernel !== undefined && { kernel: b.kernel }),
    list: b.bans.map((x) => ({ ...x, secondsLeft: Math.max(0, Math.ceil((x.until - now) / 1000)) })),
  };
}

function doorStatus(d: Door, attempts: ReadonlyMap<string, number> | undefined): DoorStatus {
  const opens = [
    ...d.open.map((p) => `${p.proto}/${p.port}`),
    ...d.forwards.map((f) => `${f.proto}/${f.port} -> ${hostPort(f.host, f.hostPort)}`),
  ];
  return {
    name: d.name,
    kind: opens.length > 0 ? 'firewall' : 'command',
    trigger: d.spa ? 'spa' : d.sequenceSecret ? 'secret' : 'sequence',
    ...(d.spa?.commandExec && { commands: true }),
    opens,
    steps: d.sequenceSecret?.length ?? d.sequence.length, // a sequence_secret door's sequence is derived: its length
    ...(attempts !== undefined && { attempts: attempts.get(d.name) ?? 0 }),
  };
}

function withTimeLeft(g: ActiveGrant, now: number): GrantStatus {
  const secondsLeft = g.expiresAt === undefined ? undefined : Math.max(0, Math.ceil((g.expiresAt - now) / 1000));
  return { ...g, secondsLeft };
}

function soonestFirst(a: GrantStatus, b: GrantStatus): number {
  return (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.door.localeCompare(b.door) || a.address.localeCompare(b.address);
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * What status and revoke need of the firewall grant manager (src/grants/),
 * structurally, so this file does not depend on it.
 */
export interface FirewallGrantSource {
  active(): ReadonlyArray<{
    readonly door: string;
    readonly address: string;
    readonly services: ReadonlyArray<{ readonly proto: string; readonly port: number }>;
    readonly forwards: ReadonlyArray<{ readonly service: { readonly proto: string; readonly port: number }; readonly host: string; readonly port: number }>;
    readonly expiresAt: number;
    readonly backend: string;
  }>;
  revoke(address: string | undefined): number | Promise<number>;
  /** Resolves once queued firewall changes are applied. */
  idle?(): Promise<void>;
}

export function firewallGrantControl(source: FirewallGrantSource): GrantControl {
  return {
    active: () => source.active().map((g) => ({
      door: g.door,
      address: g.address,
      services: [
        ...g.services.map((s) => `${s.proto}/${s.port}`),
        ...g.forwards.map((f) => `${f.service.proto}/${f.service.port} -> ${hostPort(f.host, f.port)}`),
      ],
      expiresAt: g.expiresAt,
      backend: g.backend,
      state: 'open',
    })),
    revoke: async (address) => {
      const n = await source.revoke(address);
      await source.idle?.();
      return n;
    },
  };
}

/** The grant holders of a daemon: its command grants, and its firewall grants if it has a backend. */
/** The grant holders; the firewall's is looked up at each request, since it is built only once a door needs it. */
export function grantHolders(commands: GrantControl, firewall: () => FirewallGrantSource | undefined): GrantControl[] {
  const none: GrantControl = { active: () => [], revoke: async () => 0 };
  const current = () => { const f = firewall(); return f === undefined ? none : firewallGrantControl(f); };
  return [commands, { active: () => current().active(), revoke: (address) => current().revoke(address) }];
}

export interface StartControlOptions extends Omit<ControlHandlerDeps, 'clock'> {
  /** `serve --control-socket`. */
  readonly socket: string | undefined;
  readonly options: Options;
  readonly clock: Clock;
}

/** For run.ts: resolves the socket path and starts the control socket; never throws (a failure is one warning). */
export function startControl(o: StartControlOptions): ControlService {
  const path = resolveControlSocket(o.socket, o.options.controlSocket);
  return startControlSocket(path, daemonControlHandler(o), o.log);
}
