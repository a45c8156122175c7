// The knock daemon: capture → decode → doorkeeper → actions. Every effect
// (capture, commands, files, clock, host facts, logging) is injected, so the
// whole pipeline runs in unit tests on packets made by hand.
import type { Config, Door } from '../config/model.js';
import type { CaptureHandle, CaptureSource } from '../capture/source.js';
import type { DoorEvent } from '../door/events.js';
import { Doorkeeper } from '../door/keeper.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { Packet } from '../packet/packet.js';
import type { Clock, Timer } from '../util/clock.js';
import { doorCounts, newCounters, type Counters } from './counters.js';
import { EventLog } from './event-log.js';
import type { HostAddresses, HostView } from './host.js';
import { sameAddresses } from '../net/local-addresses.js';
import { samePorts } from '../net/listening.js';
import { LogGate } from './log-gate.js';
import type { HostPorts } from '../door/decoys.js';
import type { SpaGrant } from '../spa-server/gate.js';
import { SpaReceiver, spaDoors } from '../spa-server/receiver.js';
import { DaemonBans } from '../bans/daemon-bans.js';
import type { BanStore } from '../bans/kernel-queue.js';
import type { ReplayStore } from '../spa-server/replay-cache.js';
import type { SpaSockets } from '../spa-server/sockets.js';
import type { SpaCommands } from '../spa-server/command-exec.js';
import type { SecretSequences } from './secret-sequences.js';
import { SecretWindows } from './secret-windows.js';
import { summaryParts } from './summary-line.js';

/** What happens when a door opens: knockd-style commands and firewall grants (src/grants/door-actions.ts). */
export interface DoorActions {
  /** Re-arms (or runs, if overdue) what a previous run left pending; sets the firewall up for `doors`. */
  restore(doors: readonly Door[]): Promise<void>;
  /** A reloaded configuration: the firewall's protected ports may change. */
  reconfigure?(doors: readonly Door[]): Promise<void>;
  open(door: Door, ip: string, family: 4 | 6): void;
  /** An SPA door let `ip` in (src/spa-server/): grant exactly what `grant` says. */
  grantSpa?(door: Door, ip: string, family: 4 | 6, grant: SpaGrant): void;
  /** Runs every owed stop command now; resolves when they are done. */
  closeAll(): Promise<void>;
  /** Called on shutdown; resolves when pending work is settled. */
  shutdown(): Promise<void>;
}

/** Moves a one-time-sequence door to its next unused sequence (undefined = none left). */
export type AdvanceOneTime = (door: Door) => Door | undefined;

export type FilterBuilder = (config: Config, addresses: HostAddresses, ports: HostPorts, ipv4Only: boolean) => string;

export interface DaemonDeps {
  readonly capture: CaptureSource;
  readonly actions: DoorActions;
  readonly host: HostView;
  readonly clock: Clock;
  readonly log: Logger;
  readonly buildFilter: FilterBuilder;
  readonly advanceOneTime: AdvanceOneTime;
  /** How often host addresses and listening ports are re-read. */
  readonly refreshMs?: number;
  /** SPA doors (src/spa-server/): the replay cache with its file, and the sockets of `spa_listen = socket`. */
  readonly spa?: { readonly replay: ReplayStore; readonly sockets: SpaSockets; readonly commands?: SpaCommands };
  /** The firewall backend, if it keeps bans in the kernel (nftables), once the actions built it (src/bans/). */
  readonly banStore?: () => { readonly store: BanStore; readonly backend: string } | undefined;
  /** sequence_secret doors: their used windows, persisted in the state directory (src/daemon/secret-sequences.ts). */
  readonly secretSequences?: SecretSequences;
}

export interface DaemonSettings {
  readonly interfaces: readonly string[];
  readonly ipv4Only: boolean;
}

const SUMMARY_EVERY_MS = 10_000;
/**
 * Timeouts fire at their deadline, but at most once per this many ms: under a
 * flood every attempt has its own deadline, and a timer per attempt would cost
 * more than the packets. A timeout is never reported early, at most this late.
 */
const EXPIRY_COALESCE_MS = 50;
const CAPTURE_DEVICE = 'any';

export class Daemon {
  readonly counters: Counters = newCounters();
  private config: Config;
  private readonly keeper: Doorkeeper;
  private handles: CaptureHandle[] = [];
  private filter = '';
  private addresses: HostAddresses = { v4: [], v6: [] };
  private ports!: HostPorts;
  private expiryTimer: Timer | undefined;
  private expiryAt: number | undefined;
  private lastExpiryRun = -Infinity;
  private refreshTimer: Timer | undefined;
  private readonly gate: LogGate;
  private readonly events: EventLog;
  private lastSummaryAt: number;
  private summaryBase = newCounters();
  private stopped = false;
  /** SPA doors' datagrams go here, never to the keeper (src/spa-server/receiver.ts). */
  private readonly spa: SpaReceiver | undefined;
  /** The one ban authority, shared by knock and SPA doors (src/bans/). */
  readonly bans: DaemonBans;
  /** sequence_secret doors: the keeper holds per-window copies (src/daemon/secret-windows.ts). */
  private readonly secrets: SecretWindows;

  constructor(config: Config, private readonly settings: DaemonSettings, private readonly deps: DaemonDeps) {
    this.config = config;
    const now = deps.clock.now();
    this.gate = new LogGate(20, 200, now);
    this.bans = new DaemonBans(config.options, {
      log: deps.log, gate: this.gate, clock: deps.clock,
      onBan: () => { this.counters.bans++; },
      onBannedPacket: () => { this.counters.ignored.banned++; },
      onLifted: (n) => { this.counters.bansLifted += n; },
    });
    this.secrets = new SecretWindows({
      clock: deps.clock, ...(deps.secretSequences && { store: deps.secretSequences }),
      update: (doors) => { this.keeper.update(doors); this.armExpiry(); },
    });
    this.keeper = new Doorkeeper(this.secrets.keeperDoors(config), config.options, this.bans.authority);
    this.events = new EventLog(this.counters, deps.log, this.gate);
    this.spa = deps.spa && new SpaReceiver(config, {
      ...deps.spa, clock: deps.clock, log: deps.log, logGate: this.gate, counters: this.counters.spa, ipv4Only: settings.ipv4Only, bans: this.bans.spaHook,
      grant: (door, ip, family, grant) => {
        doorCounts(this.counters, door.name)['spa-accept']++;
        if (deps.actions.grantSpa) deps.actions.grantSpa(door, ip, family, grant);
        else deps.log.error(`${ip}: ${door.name}: these door actions cannot grant SPA requests`, ev('grant.refused', { ip, door: door.name, reason: 'no-backend' }));
      },
    });
    this.lastSummaryAt = now;
  }

  async start(): Promise<void> {
    await this.deps.actions.restore(this.config.doors);
    await this.attachKernelBans();
    if (!this.spa && spaDoors(this.config.doors).length > 0) throw new Error('SPA doors need an SPA replay store and sockets (DaemonDeps.spa)');
    await this.spa?.start(this.config);
    await this.refreshHost(true);
    this.secrets.start(this.config);
    // One capture on Linux's 'any' device, restricted by the filter to the
    // addresses of the configured interfaces. A capture bound to one interface
    // dies with it (the cap binding aborts the process when its device goes
    // down or away: ppp, wg, a NetworkManager reconnect); 'any' outlives them,
    // picks an interface up again when it returns, and is never promiscuous.
    this.handles.push(this.deps.capture.open(CAPTURE_DEVICE, this.filter, this.onPacket, (err) => this.onCaptureError(CAPTURE_DEVICE, err)));
    const missing = this.settings.interfaces.filter((i) => i !== 'any' && !this.deps.host.hasInterface(i));
    for (const i of missing) this.deps.log.warn(`interface ${i} does not exist (yet); its addresses will be guarded once it appears`);
    this.deps.log.info(`starting up, listening on ${this.settings.interfaces.join(',')}`, ev('daemon.start', { interfaces: this.settings.interfaces }));
    this.deps.log.debug(`capture filter: ${this.filter}`);
    this.scheduleRefresh();
  }

  /** Installs a validated new configuration, keeping attempts of unchanged doors. */
  reload(config: Config): void {
    this.config = config;
    this.keeper.reconfigure(this.secrets.keeperDoors(config), config.options);
    this.secrets.arm(config);
    this.spa?.reconfigure(config).catch((err: Error) => this.deps.log.error(`cannot apply the new SPA doors: ${err.message}`));
    this.installFilter(config);
    this.armExpiry();
    this.deps.actions.reconfigure?.(config.doors).then(() => this.attachKernelBans(), (err: Error) => {
      this.deps.log.error(`cannot apply the new configuration to the firewall: ${err.message}`, ev('firewall.error', { error: err.message }));
    });
  }

  /** Once the firewall backend exists and keeps bans (nftables), bans go to the kernel too. */
  private async attachKernelBans(): Promise<void> {
    if (this.bans.attached) return;
    const b = this.deps.banStore?.();
    if (b) await this.bans.attach(b.store, b.backend);
  }

  /**
   * Stops capturing. Doors still open are closed now (their stop commands run)
   * unless `keepOpen`: a stopped daemon cannot close them on time later.
   */
  async stop(keepOpen = false): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.expiryTimer?.cancel();
    this.refreshTimer?.cancel();
    this.secrets.stop();
    for (const h of this.handles) h.close();
    this.handles = [];
    await this.spa?.stop();
    this.deps.log.info('shutting down', ev('daemon.stop'));
    if (!keepOpen) await this.deps.actions.closeAll();
    await this.bans.settled(); // bans on their way to the kernel, before the firewall's nft goes
    await this.deps.actions.shutdown();
  }

  get doors(): readonly Door[] {
    return this.config.doors;
  }

  get captureFilter(): string {
    return this.filter;
  }

  inFlight() {
    return this.keeper.inFlight();
  }

  stats() {
    return this.keeper.stats();
  }

  /**
   * What `portcullis status` shows of the packet side (read-only copies).
   * Attempts per door are counted only up to a size where listing them is
   * cheap; past it, only the total (in `tables`) is given.
   */
  statusSnapshot() {
    const tables = this.keeper.stats();
    let attemptsByDoor: Map<string, number> | undefined;
    if (tables.attempts <= 262_144) {
      attemptsByDoor = new Map();
      for (const a of this.keeper.inFlight()) attemptsByDoor.set(a.door, (attemptsByDoor.get(a.door) ?? 0) + 1);
    }
    return { doors: this.config.doors, options: this.config.options, attemptsByDoor, tables, counters: structuredClone(this.counters), bans: this.bans.report(this.deps.clock.now()) };
  }

  // Arrow function: handed to the capture source as the per-packet callback.
  private readonly onPacket = (p: Packet): void => {
    if (this.stopped) return;
    this.counters.packets++;
    if (p.proto === 'udp' && this.spa?.owns(p.dstPort)) {
      // An SPA port: the SPA gate's, never a knock or a decoy; only datagrams to this host, as for knocks.
      if (this.addresses.v4.includes(p.dst) || this.addresses.v6.includes(p.dst)) {
        this.spa.onCaptured({ payload: p.payload, src: p.src, family: p.family, port: p.dstPort });
      } else this.counters.ignored['not-for-us']++;
      return;
    }
    const ignored = this.keeper.onPacket(p, this.deps.clock.now(), this.onEvent);
    if (ignored !== undefined) this.counters.ignored[ignored]++;
    this.secrets.afterPacket(this.config);
    this.armExpiry();
  };

  // Arrow function: handed to the doorkeeper as the event callback.
  private readonly onEvent = (e: DoorEvent): void => {
    this.events.record(e, this.deps.clock.now());
    if (e.kind === 'open') {
      if (e.door.secretWindow !== undefined) this.secrets.used(e.door, this.config);
      this.deps.actions.open(e.door, e.src, e.family);
      if (e.door.oneTimeSequences !== undefined) this.advanceOneTime(e.door);
    }
  };

  private advanceOneTime(door: Door): void {
    const next = this.deps.advanceOneTime(door);
    const doors = this.config.doors.flatMap((d) => (d !== door ? [d] : next ? [next] : []));
    if (next === undefined) {
      this.deps.log.warn(`no more sequences left in the one time sequences file for door ${door.name} --> disabling the door`);
    }
    this.reload({ ...this.config, doors });
  }

  private armExpiry(): void {
    const deadline = this.keeper.nextDeadline();
    if (deadline === undefined || this.stopped) return;
    const at = Math.max(deadline, this.lastExpiryRun + EXPIRY_COALESCE_MS);
    if (this.expiryAt !== undefined && this.expiryAt <= at) return;
    this.expiryTimer?.cancel();
    this.expiryAt = at;
    this.expiryTimer = this.deps.clock.setTimer(at - this.deps.clock.now(), () => {
      this.expiryAt = undefined;
      this.expiryTimer = undefined;
      this.lastExpiryRun = this.deps.clock.now();
      this.keeper.expire(this.lastExpiryRun, this.onEvent);
      this.armExpiry();
    });
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    this.refreshTimer = this.deps.clock.setTimer(this.deps.refreshMs ?? 2000, () => {
      this.keeper.expire(this.deps.clock.now(), this.onEvent);
      this.secrets.tick(this.config);
      this.spa?.tick(this.deps.clock.now());
      this.summarise();
      this.refreshHost(false).then(
        () => this.scheduleRefresh(),
        (err: Error) => {
          this.deps.log.warn(`cannot read the host's addresses or ports: ${err.message}`);
          this.scheduleRefresh();
        },
      );
    });
  }

  /** Re-reads addresses and ports; rebuilds the capture filter when anything changed. */
  private async refreshHost(force: boolean): Promise<void> {
    const addresses = this.deps.host.addresses(this.settings.interfaces, this.settings.ipv4Only);
    const ports = await this.deps.host.ports();
    if (this.stopped) return;
    const changed = force || !sameAddresses(addresses, this.addresses) || !samePorts(ports, this.ports);
    if (!changed) return;
    if (!force) this.deps.log.debug('host addresses or listening ports changed; updating the capture filter');
    this.addresses = addresses;
    this.ports = ports;
    this.keeper.setLocalAddresses([...addresses.v4, ...addresses.v6]);
    this.keeper.setHostPorts(ports);
    this.installFilter(this.config);
  }

  private installFilter(config: Config): void {
    const filter = this.deps.buildFilter(config, this.addresses, this.ports, this.settings.ipv4Only);
    if (filter === this.filter) return;
    this.filter = filter;
    for (const h of this.handles) {
      try {
        h.setFilter(filter);
      } catch (err) {
        this.onCaptureError(h.iface, err as Error);
      }
    }
  }

  private onCaptureError(iface: string, err: Error): void {
    this.deps.log.error(`capture on ${iface} failed: ${err.message}`, ev('capture.error', { iface, error: err.message }));
  }

  /** One line per interval about what was suppressed or ignored, instead of a line per packet. */
  private summarise(): void {
    const now = this.deps.clock.now();
    if (now - this.lastSummaryAt < SUMMARY_EVERY_MS) return;
    const parts = summaryParts(this.counters, this.summaryBase, this.gate.takeSuppressed());
    if (parts.length > 0) {
      const secs = Math.round((now - this.lastSummaryAt) / 1000);
      this.deps.log.info(`last ${secs} s: ${parts.join(', ')}`, ev('daemon.summary'));
    }
    this.summaryBase = structuredClone(this.counters);
    this.lastSummaryAt = now;
  }
}
