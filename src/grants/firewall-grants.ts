// The lifecycle of firewall grants: open (or extend), expire, revoke, persist,
// reconcile at start, and what happens at exit.
//
//   knock ──▶ open ──repeat knock: expiry = now + open_timeout──▶ open
//               │                                                  │
//               └──────── expiry timer / revoke / revokes= ────────┴──▶ closed
//
// Every grant is in the state file (atomic write) — for backends whose
// entries the kernel does not expire, before the firewall is touched, so a
// crash can never leave an entry nobody knows about. At start, restore()
// reconciles the file with what the firewall holds (reconcile.ts).
import type { Door, ForwardRule } from '../config/model.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { FileStore } from '../state/atomic-file.js';
import { CoalescedWriter } from '../state/coalesced-writer.js';
import type { Clock, Timer } from '../util/clock.js';
import type { FirewallBackend, Layout, Service } from '../firewall/backend.js';
import { FirewallQueue } from './firewall-queue.js';
import { entriesOf, grantFor, grantKey, keysOf, layoutFor, type GrantRecord } from './record.js';
import { reconcile } from './reconcile.js';
import { parseGrantState, serializeGrantState } from './state-file.js';

export interface FirewallGrantsDeps {
  readonly backend: FirewallBackend;
  readonly clock: Clock;
  readonly store: FileStore;
  readonly statePath: string;
  readonly log: Logger;
  /** Grants held at once; beyond this, opens are refused. */
  readonly maxGrants?: number;
  /** On exit, close grants the kernel does not expire by itself (close_on_exit). */
  readonly closeOnExit?: boolean;
  /**
   * A new grant is in the firewall: `seconds` from the knock or SPA packet that
   * asked for it (handled synchronously, so its clock reading is the packet's)
   * to the change committed, state file included (the open-latency metric).
   */
  readonly onOpened?: (kind: 'knock' | 'spa', seconds: number) => void;
}

interface Held {
  record: GrantRecord;
  timer?: Timer;
}

export interface ActiveFirewallGrant extends GrantRecord {
  readonly backend: string;
}

/** A failed close is tried again this often, CLOSE_RETRY_MS × attempt apart. */
const CLOSE_ATTEMPTS = 5;
const CLOSE_RETRY_MS = 2_000;

export class FirewallGrants {
  readonly backend: FirewallBackend;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly maxGrants: number;
  private readonly closeOnExit: boolean;
  private readonly held = new Map<string, Held>();
  private readonly queue: FirewallQueue;
  private readonly stateFile: CoalescedWriter;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly readState: () => string | undefined;
  private readonly onOpened: ((kind: 'knock' | 'spa', seconds: number) => void) | undefined;
  private stopped = false;
  /** Firewall operations that failed (for status and metrics). */
  errors = 0;

  constructor(deps: FirewallGrantsDeps) {
    this.backend = deps.backend;
    this.clock = deps.clock;
    this.log = deps.log;
    this.maxGrants = deps.maxGrants ?? 65_536;
    this.closeOnExit = deps.closeOnExit ?? true;
    this.queue = new FirewallQueue(deps.backend, () => deps.clock.now());
    this.stateFile = new CoalescedWriter(deps.store, deps.statePath, deps.log,
      () => serializeGrantState(this.backend.name, [...this.held.values()].map((h) => h.record)), 'firewall grants');
    this.readState = () => deps.store.read(deps.statePath);
    this.onOpened = deps.onOpened;
  }

  /** Sets the backend up for `doors`, then reconciles the state file with what the firewall holds. */
  async restore(doors: readonly Door[]): Promise<void> {
    await this.backend.prepare(layoutFor(doors));
    const recorded = this.loadState();
    const now = this.clock.now();
    const plan = reconcile(recorded, await this.backend.list(now), now);
    if (plan.close.length > 0) await this.backend.close(plan.close);
    if (plan.open.length > 0) await this.backend.open(plan.open, now);
    for (const g of plan.keep) this.hold(g);
    this.stateFile.markDirty();
    const parts = [`${plan.keep.length} grant(s) restored`, `${plan.expired.length} expired`, `${plan.strays.length} stray entr${plan.strays.length === 1 ? 'y' : 'ies'} removed`];
    this.log.info(`${this.backend.name}: ${parts.join(', ')}`, ev('grant.reconcile', { backend: this.backend.name, restored: plan.keep.length, expired: plan.expired.length, strays: plan.strays.length }));
  }

  /** A new configuration: the protected ports and forwards may have changed. Grants are kept until they expire. */
  async reconfigure(doors: readonly Door[]): Promise<void> {
    await this.backend.prepare(layoutFor(doors) satisfies Layout);
  }

  /** The door opened for `address`: grant (or extend) its ports. */
  open(door: Door, address: string, family: 4 | 6): void {
    if (this.stopped) return;
    const key = grantKey(door.name, address);
    const existing = this.held.get(key);
    if (!existing && this.full(door.name, address)) return;
    const record = grantFor(door, address, family, this.clock.now());
    if (record.services.length === 0 && record.forwards.length === 0) return;
    this.install(key, record, existing !== undefined, door.openTimeoutMs / 1000, 'knock');
  }

  /**
   * An SPA door let `address` in: grant exactly `services` (and, for a NAT
   * request, `forwards` of the door's forward rules) for `timeoutMs`, with the
   * same lifecycle as open(). One grant per door and address, so a second
   * request while one is held gets the union of the ports and the later of
   * the two expiries (a grant is never shortened, no entry is left behind).
   */
  grant(door: Door, address: string, family: 4 | 6, services: readonly Service[], timeoutMs: number, forwards: readonly ForwardRule[] = []): void {
    if (this.stopped || services.length + forwards.length === 0) return;
    const key = grantKey(door.name, address);
    const existing = this.held.get(key)?.record;
    if (!existing && this.full(door.name, address)) return;
    const now = this.clock.now();
    const merged = [...(existing?.services ?? [])];
    for (const s of services) if (!merged.some((m) => m.proto === s.proto && m.port === s.port)) merged.push({ proto: s.proto, port: s.port });
    const fwd = [...(existing?.forwards ?? [])];
    for (const f of forwards) {
      if (f.family !== family) continue;
      const g = { service: { proto: f.proto, port: f.port }, host: f.host, port: f.hostPort };
      if (!fwd.some((x) => x.service.proto === g.service.proto && x.service.port === g.service.port && x.host === g.host && x.port === g.port)) fwd.push(g);
    }
    const expiresAt = Math.max(existing?.expiresAt ?? 0, now + timeoutMs);
    const record: GrantRecord = { door: door.name, address, family, services: merged, forwards: fwd, expiresAt };
    this.install(key, record, existing !== undefined, Math.round((expiresAt - now) / 1000), 'spa');
  }

  /** Whether no further grant fits (logged). */
  private full(door: string, address: string): boolean {
    if (this.held.size < this.maxGrants) return false;
    this.log.error(`${address}: ${door}: too many firewall grants (${this.maxGrants}), not opening`, ev('grant.refused', { ip: address, door, reason: 'table-full' }));
    return true;
  }

  /** Holds `record` (replacing the door's grant for the address) and puts its entries into the firewall. */
  private install(key: string, record: GrantRecord, extended: boolean, seconds: number, kind: 'knock' | 'spa'): void {
    const { address, door } = record;
    const requestedAt = this.clock.now();
    this.hold(record);
    const fields = { ip: address, door, seconds };
    if (extended) this.log.info(`${address}: ${door}: already open, extended to ${seconds} s from now`, ev('grant.extend', fields));
    const apply = () => void this.track(this.queue.open(entriesOf(record)).then(
      () => {
        if (extended) return;
        this.onOpened?.(kind, (this.clock.now() - requestedAt) / 1000);
        this.log.info(`${address}: ${door}: opened ${describe(record)} for ${seconds} s`, ev('grant.open', { ...fields, ports: describe(record) }));
      },
      (err) => this.openFailed(key, record, err),
    ));
    // A kernel-expiring entry cannot outlive its expiry even if we crash before
    // the file is written; any other entry is on disk first.
    if (this.backend.kernelExpiry) { apply(); this.stateFile.markDirty(); } else this.stateFile.markDirty(apply);
  }

  /** Closes `door`'s grant for `address` now (a `revokes =` door). Returns whether there was one. */
  revokeDoor(door: string, address: string): boolean {
    const held = this.held.get(grantKey(door, address));
    if (!held) return false;
    this.log.info(`${address}: ${door}: revoked`, ev('grant.close', { ip: address, door, reason: 'revoked' }));
    this.closeGrant(held);
    return true;
  }

  /** Closes every grant of `address` (or all); returns how many. */
  revoke(address: string | undefined): number {
    const matching = [...this.held.values()].filter((h) => address === undefined || h.record.address === address);
    for (const h of matching) this.closeGrant(h);
    return matching.length;
  }

  active(): ActiveFirewallGrant[] {
    return [...this.held.values()].map((h) => ({ ...h.record, backend: this.backend.name })).sort((a, b) => a.expiresAt - b.expiresAt);
  }

  /**
   * On SIGTERM: kernel-expiring grants are left to expire by themselves; the
   * others are closed now, or kept when close_on_exit = no (restored at the
   * next start, or closed then if expired). The state file stays.
   */
  async closeAll(): Promise<void> {
    if (!this.backend.kernelExpiry && this.closeOnExit) {
      const all = [...this.held.values()];
      if (all.length > 0) this.log.info(`${this.backend.name}: closing ${all.length} grant(s) on exit`, ev('grant.close', { reason: 'exit', count: all.length }));
      for (const h of all) this.closeGrant(h);
    }
    await this.idle();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const h of this.held.values()) h.timer?.cancel();
    await this.idle();
    await this.backend.dispose();
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.stateFile.pending) {
      await Promise.all([...this.inFlight]);
      await this.queue.idle();
      await this.stateFile.settled();
    }
  }

  private hold(record: GrantRecord): void {
    const key = grantKey(record.door, record.address);
    const held = this.held.get(key) ?? { record };
    held.record = record;
    this.held.set(key, held);
    held.timer?.cancel();
    if (!this.stopped) held.timer = this.clock.setTimer(record.expiresAt - this.clock.now(), () => this.expire(held));
  }

  private expire(held: Held): void {
    const { door, address } = held.record;
    this.log.info(`${address}: ${door}: grant expired, closing`, ev('grant.close', { ip: address, door, reason: 'expired' }));
    this.closeGrant(held);
  }

  private closeGrant(held: Held, attempt = 1): void {
    held.timer?.cancel();
    const key = grantKey(held.record.door, held.record.address);
    if (this.held.get(key) === held) this.held.delete(key);
    // Removed from the file only once the firewall confirms: a crash in between closes it again at start.
    void this.track(this.queue.close(keysOf(held.record)).then(
      () => this.stateFile.markDirty(),
      (err) => {
        this.errors++;
        const { door, address } = held.record;
        if (attempt >= CLOSE_ATTEMPTS || this.stopped) {
          this.log.error(`${address}: ${door}: cannot close the grant after ${attempt} attempt(s): ${(err as Error).message}`, ev('firewall.error', { ip: address, door, error: (err as Error).message }));
          this.stateFile.markDirty();
          return;
        }
        this.log.warn(`${address}: ${door}: closing the grant failed, trying again: ${(err as Error).message}`, ev('firewall.retry', { ip: address, door, error: (err as Error).message }));
        this.clock.setTimer(CLOSE_RETRY_MS * attempt, () => this.closeGrant(held, attempt + 1));
      },
    ));
  }

  private openFailed(key: string, record: GrantRecord, err: unknown): void {
    this.errors++;
    this.log.error(`${record.address}: ${record.door}: cannot open ${describe(record)}: ${(err as Error).message}`, ev('firewall.error', { ip: record.address, door: record.door, error: (err as Error).message }));
    const held = this.held.get(key);
    if (held?.record === record) {
      held.timer?.cancel();
      this.held.delete(key);
      // Whatever part of it went in is taken out again.
      void this.track(this.queue.close(keysOf(record)).catch(() => undefined).then(() => this.stateFile.markDirty()));
    }
  }

  private loadState(): GrantRecord[] {
    let text: string | undefined;
    try {
      text = this.readState();
    } catch (err) {
      this.log.error(`cannot read firewall grants: ${(err as Error).message}`, ev('state.error', { error: (err as Error).message }));
      return [];
    }
    if (text === undefined) return [];
    try {
      const parsed = parseGrantState(text);
      for (const reason of parsed.rejected) this.log.error(`ignoring unusable firewall grant record, ${reason}`);
      if (parsed.backend !== this.backend.name && parsed.grants.length > 0) {
        this.log.warn(`the state file's grants were made with the ${parsed.backend} backend; now ${this.backend.name}. Entries left in ${parsed.backend} are not removed by this backend`);
      }
      return parsed.grants;
    } catch (err) {
      this.log.error(`firewall grant state file is unusable (${(err as Error).message}); strays will be removed`);
      return [];
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    const tracked = work.finally(() => { this.inFlight.delete(tracked); });
    this.inFlight.add(tracked);
    return tracked;
  }
}

function describe(g: GrantRecord): string {
  return [...g.services.map((s) => `${s.proto}/${s.port}`), ...g.forwards.map((f) => `${f.service.proto}/${f.service.port}->${f.host}:${f.port}`)].join(', ');
}
