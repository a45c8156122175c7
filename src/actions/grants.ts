// The open/close lifecycle of command doors: knockd's Start_Command,
// Cmd_Timeout and Stop_Command (knockd.md §2.1), with its gaps closed:
//  - a door already open for an address is not opened twice (knockd #70); a
//    repeat knock pushes the stop time out instead;
//  - every owed stop command is in the state file before its start command
//    runs, and restore() runs or re-arms them after a restart or crash;
//  - commands run asynchronously with a time limit; the number of grants is bounded.
//
// Life of a grant (door + address + stop command):
//   open() → starting ──start returns──▶ waiting ──cmd_timeout──▶ stopping ──▶ gone
//              (repeat open: skipped)     (repeat open: due time    (repeat open: runs
//                                          = now + cmd_timeout)      again once stopped)
import type { Door } from '../config/model.js';
import type { ActiveGrant } from '../control/types.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { FileStore } from '../state/atomic-file.js';
import { CoalescedWriter } from '../state/coalesced-writer.js';
import type { Clock, Timer } from '../util/clock.js';
import { CommandError, expandCommand, selectCommands, type SpaCommandValues } from './command.js';
import { serializeGrants } from './grant-file.js';
import { readGrants } from './read-grants.js';
import { runLogged } from './run-logged.js';
import type { CommandOutcome, CommandRunner } from './runner.js';

export interface CommandGrantsDeps {
  readonly runner: CommandRunner;
  readonly clock: Clock;
  readonly store: FileStore;
  readonly statePath: string;
  readonly log: Logger;
  /** Hard time limit for one command (default 10 s). */
  readonly commandTimeoutMs?: number;
  /** Grants (pending stop commands) held at once; beyond this, opens are refused. */
  readonly maxGrants?: number;
  /** A start command is started: `seconds` after the door opened (the open-latency metric, src/metrics/). */
  readonly onStarted?: (kind: 'knock' | 'spa', seconds: number) => void;
}

export interface PendingStop {
  readonly door: string;
  readonly ip: string;
  readonly dueAt: number;
}

interface Grant {
  readonly key: string;
  readonly record: { door: string; ip: string; family: 4 | 6; stop: string; dueAt: number };
  phase: 'starting' | 'waiting' | 'stopping';
  timer?: Timer;
  /** closeAll() ran while the start command was still running. */
  stopWhenStarted?: boolean;
  /** A knock arrived while the stop command ran: open again afterwards. */
  reopen?: { door: Door; family: 4 | 6; spa?: SpaCommandValues };
  /** Times the stop command could not be started at all. */
  failedStops?: number;
}

/** A stop command that could not be started is tried this often, STOP_RETRY_MS × attempt apart. */
const STOP_ATTEMPTS = 5;
const STOP_RETRY_MS = 5_000;

export class CommandGrants {
  private readonly runner: CommandRunner;
  private readonly clock: Clock;
  private readonly store: FileStore;
  private readonly statePath: string;
  private readonly log: Logger;
  private readonly commandTimeoutMs: number;
  private readonly maxGrants: number;
  private readonly onStarted: ((kind: 'knock' | 'spa', seconds: number) => void) | undefined;
  private readonly grants = new Map<string, Grant>();
  /** Start-only doors whose command is running (key: door, address, command). */
  private readonly startOnlyRunning = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stateFile: CoalescedWriter;
  private closed = false;

  constructor(deps: CommandGrantsDeps) {
    this.runner = deps.runner;
    this.clock = deps.clock;
    this.store = deps.store;
    this.statePath = deps.statePath;
    this.log = deps.log;
    this.commandTimeoutMs = deps.commandTimeoutMs ?? 10_000;
    this.maxGrants = deps.maxGrants ?? 65_536;
    this.onStarted = deps.onStarted;
    this.stateFile = new CoalescedWriter(deps.store, deps.statePath, deps.log,
      () => serializeGrants([...this.grants.values()].map((g) => g.record)), 'pending stop commands');
  }

  /** Loads the state file: overdue stop commands run at once (awaited), the others are re-armed. */
  async restore(): Promise<void> {
    const records = readGrants(this.store, this.statePath, this.log, this.stateFile);
    if (records === undefined) return;
    const now = this.clock.now();
    const overdue: Array<Promise<void>> = [];
    for (const record of records) {
      const key = grantKey(record.door, record.ip, record.stop);
      if (this.grants.has(key)) continue;
      if (this.grants.size >= this.maxGrants) {
        this.log.error(`${record.ip}: ${record.door}: too many pending stop commands (${this.maxGrants}), running this one now`, ev('command.refused', { ip: record.ip, door: record.door, reason: 'table-full' }));
      }
      const grant: Grant = { key, record: { ...record }, phase: 'waiting' };
      this.grants.set(key, grant);
      if (record.dueAt <= now || this.grants.size > this.maxGrants) overdue.push(this.track(this.runStop(grant)));
      else this.arm(grant);
    }
    if (overdue.length > 0) this.log.info(`running ${overdue.length} overdue stop command(s) from ${this.statePath}`);
    await Promise.all(overdue);
  }

  /**
   * A knocker completed the door's sequence (OPEN SESAME): run its start
   * command, schedule its stop. An SPA grant passes `spa` (%PORT%, %PROTO%,
   * %TIMEOUT%) and a door whose cmdTimeoutMs is the grant's length.
   */
  open(door: Door, ip: string, family: 4 | 6, spa?: SpaCommandValues): void {
    if (this.closed) {
      this.log.debug(`${ip}: ${door.name}: shutting down, not opening`);
      return;
    }
    const selected = selectCommands(door, family);
    if (selected.start === undefined) return;
    let start: string;
    let stop: string | undefined;
    try {
      start = expandCommand(selected.start, ip, spa);
      stop = selected.stop === undefined ? undefined : expandCommand(selected.stop, ip, spa);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      this.log.error(`${door.name}: ${err.message}`, ev('command.error', { door: door.name, code: err.code }));
      return;
    }
    if (stop === undefined) this.openStartOnly(door, ip, start, spa ? 'spa' : 'knock');
    else this.openWithStop(door, ip, family, start, stop, spa);
  }

  /** Every stop command still owed, soonest first. */
  pending(): PendingStop[] {
    return [...this.grants.values()]
      .map(({ record }) => ({ door: record.door, ip: record.ip, dueAt: record.dueAt }))
      .sort((a, b) => a.dueAt - b.dueAt);
  }

  /** Runs every owed stop command now (those whose start is still running, once it returns); resolves when all are done. */
  async closeAll(): Promise<void> {
    for (const grant of this.grants.values()) {
      if (grant.phase === 'waiting') {
        void this.track(this.runStop(grant));
      } else if (grant.phase === 'starting') {
        grant.stopWhenStarted = true;
      }
    }
    await this.idle();
  }

  /** The grants held now, for `portcullis status` (what a start command opened is not known here). */
  active(): ActiveGrant[] {
    return [...this.grants.values()].map(({ record, phase }) => ({
      door: record.door,
      address: record.ip,
      services: [],
      expiresAt: record.dueAt,
      backend: 'command',
      state: phase === 'starting' ? 'opening' : phase === 'waiting' ? 'open' : 'closing',
    }));
  }

  /**
   * `portcullis revoke`: runs the owed stop commands of `ip` (all of them if
   * undefined) now, or as soon as a running start command returns; resolves
   * with how many grants it closed, once their stop commands have run.
   */
  async revoke(ip?: string): Promise<number> {
    const stops: Array<Promise<void>> = [];
    let starting = 0;
    for (const grant of this.grants.values()) {
      if (ip !== undefined && grant.record.ip !== ip) continue;
      const fields = { ip: grant.record.ip, door: grant.record.door };
      if (grant.phase === 'waiting') {
        this.log.info(`${fields.ip}: ${fields.door}: revoked, running the stop command now`, ev('command.revoke', fields));
        stops.push(this.track(this.runStop(grant)));
      } else if (grant.phase === 'starting') {
        this.log.info(`${fields.ip}: ${fields.door}: revoked, running the stop command once the start command returns`, ev('command.revoke', fields));
        grant.stopWhenStarted = true;
        starting++;
      }
    }
    await Promise.all(stops);
    if (starting > 0) await this.idle();
    return stops.length + starting;
  }

  /** Stops the timers and refuses further opens. Owed stop commands stay in the state file for the next restore(). */
  close(): void {
    this.closed = true;
    for (const grant of this.grants.values()) grant.timer?.cancel();
  }

  /**
   * For SIGTERM: like close(), then waits for running commands (each is bounded
   * by the command time limit). Doors stay open; their stops are restored on the
   * next start, as knockd's sleeping children would have run them.
   */
  async shutdown(): Promise<void> {
    this.close();
    await this.idle();
  }

  /** Resolves once no command started by this object is running. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.stateFile.pending) {
      await Promise.all([...this.inFlight]);
      await this.stateFile.settled();
    }
  }

  private openStartOnly(door: Door, ip: string, start: string, kind: 'knock' | 'spa'): void {
    // knockd runs a start-only door's command on every successful knock; we keep
    // that, but not twice at once for the same door and address.
    const key = grantKey(door.name, ip, start);
    if (this.startOnlyRunning.has(key)) {
      this.log.info(`${ip}: ${door.name}: previous command still running, not running it again`, ev('command.busy', { ip, door: door.name }));
      return;
    }
    this.startOnlyRunning.add(key);
    this.onStarted?.(kind, 0); // started right away, from the packet handler
    void this.track(this.runCommand(door.name, ip, start).then(() => { this.startOnlyRunning.delete(key); }));
  }

  private openWithStop(door: Door, ip: string, family: 4 | 6, start: string, stop: string, spa?: SpaCommandValues): void {
    const key = grantKey(door.name, ip, stop);
    const existing = this.grants.get(key);
    if (existing) {
      this.repeatOpen(existing, door, family, spa);
      return;
    }
    if (this.grants.size >= this.maxGrants) {
      this.log.error(`${ip}: ${door.name}: too many open doors (${this.maxGrants}), not opening`, ev('command.refused', { ip, door: door.name, reason: 'table-full' }));
      return;
    }
    // Recorded with the earliest time the stop could be due; corrected when the start returns.
    const record = { door: door.name, ip, family, stop, dueAt: this.clock.now() + door.cmdTimeoutMs };
    const grant: Grant = { key, record, phase: 'starting' };
    this.grants.set(key, grant);
    // The stop is on disk before the start runs, so a crash in between cannot lose it.
    const askedAt = this.clock.now();
    this.stateFile.markDirty(() => {
      this.onStarted?.(spa ? 'spa' : 'knock', (this.clock.now() - askedAt) / 1000);
      void this.track(this.startGrant(grant, door, start));
    });
  }

  private repeatOpen(grant: Grant, door: Door, family: 4 | 6, spa?: SpaCommandValues): void {
    const { ip } = grant.record;
    const fields = { ip, door: door.name };
    if (grant.phase === 'starting') {
      this.log.info(`${ip}: ${door.name}: start command still running, not running it again`, ev('command.busy', fields));
    } else if (grant.phase === 'stopping') {
      grant.reopen = { door, family, ...(spa && { spa }) };
      this.log.info(`${ip}: ${door.name}: stop command running, opening again when it returns`, ev('command.busy', fields));
    } else {
      grant.record.dueAt = this.clock.now() + door.cmdTimeoutMs;
      this.arm(grant);
      this.stateFile.markDirty();
      this.log.info(`${ip}: ${door.name}: already open, stop command postponed to ${door.cmdTimeoutMs / 1000} s from now`, ev('command.extend', fields));
    }
  }

  private async startGrant(grant: Grant, door: Door, start: string): Promise<void> {
    const outcome = await this.runCommand(door.name, grant.record.ip, start);
    if (outcome.error !== undefined) {
      // The start never ran, so nothing needs undoing (knockd: stop only after a start ran).
      this.grants.delete(grant.key);
      this.stateFile.markDirty();
      return;
    }
    // knockd sleeps cmd_timeout after the start command returns, then runs the stop.
    grant.phase = 'waiting';
    grant.record.dueAt = this.clock.now() + door.cmdTimeoutMs;
    this.stateFile.markDirty();
    if (grant.stopWhenStarted) {
      await this.runStop(grant);
    } else if (!this.closed) {
      this.arm(grant);
    }
  }

  private arm(grant: Grant): void {
    grant.timer?.cancel();
    if (this.closed) return;
    grant.timer = this.clock.setTimer(grant.record.dueAt - this.clock.now(), () => {
      void this.track(this.runStop(grant));
    });
  }

  private async runStop(grant: Grant): Promise<void> {
    grant.timer?.cancel();
    delete grant.timer;
    grant.phase = 'stopping';
    const { door, ip, stop } = grant.record;
    this.log.info(`${ip}: ${door}: command timeout`, ev('command.expire', { ip, door }));
    const outcome = await this.runCommand(door, ip, stop);
    if (outcome.error !== undefined && !grant.reopen) {
      // It never ran (queue full, fork failed): the door is still open, so try again later.
      grant.failedStops = (grant.failedStops ?? 0) + 1;
      if (grant.failedStops < STOP_ATTEMPTS) {
        grant.phase = 'waiting';
        grant.record.dueAt = this.clock.now() + STOP_RETRY_MS * grant.failedStops;
        this.stateFile.markDirty();
        this.arm(grant);
        return;
      }
      this.log.error(`${ip}: ${door}: stop command did not run after ${STOP_ATTEMPTS} attempts, giving up: ${stop}`, ev('command.refused', { ip, door, reason: 'gave-up' }));
    }
    // Removed only after it ran: a crash in between runs it again, rather than never.
    this.grants.delete(grant.key);
    this.stateFile.markDirty();
    if (grant.reopen && !this.closed) this.open(grant.reopen.door, ip, grant.reopen.family, grant.reopen.spa);
  }

  private runCommand(door: string, ip: string, command: string): Promise<CommandOutcome> {
    return runLogged(this.runner, this.log, { door, ip, command }, this.commandTimeoutMs);
  }

  private track(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => { this.inFlight.delete(tracked); });
    this.inFlight.add(tracked);
    return tracked;
  }
}

function grantKey(door: string, ip: string, command: string): string {
  return `${door}\n${ip}\n${command}`;
}
