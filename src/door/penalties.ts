// Failure counting and bans per source address. Both tables are bounded,
// preallocated and ordered oldest first (TimedSources), so pruning is O(1) per
// expired entry and a spoofed flood of failures evicts the oldest in O(1)
// without growing memory. The ban authority (src/bans/authority.ts) wraps this
// with the allowlist, reasons, counters and the kernel ban set.
import { TimedSources } from './timed-sources.js';

export interface PenaltyLimits {
  /** Failures within `windowMs` that earn a ban. */
  readonly failureLimit: number;
  readonly windowMs: number;
  readonly banMs: number;
  /** Most sources tracked in each table. */
  readonly maxSources: number;
}

/** A ban's counter holds failures × REASON_SPAN + reason code, so a ban costs no object and survives a remap. */
const REASON_SPAN = 256;

export interface BanEntry {
  readonly src: string;
  /** When the ban ends, ms since the epoch. */
  readonly until: number;
  /** Failures counted when it was earned (0 for a ban restored from the kernel). */
  readonly failures: number;
  /** The caller's code for the failure that earned it (0–255). */
  readonly reason: number;
}

export class SourcePenalties {
  /** Per source: when its first counted failure was, and how many since. */
  private failures: TimedSources;
  /** Per source: when its ban ends; the counter packs failures and reason. */
  private bans: TimedSources;
  /** Bans that ran out (pruned or found expired). */
  expired = 0;

  constructor(private limits: PenaltyLimits) {
    this.failures = new TimedSources(limits.maxSources);
    this.bans = new TimedSources(limits.maxSources);
  }

  /** Entries dropped because a table was full. */
  get evictions(): number {
    return this.failures.evictions + this.bans.evictions;
  }

  setLimits(limits: PenaltyLimits): void {
    if (limits.maxSources !== this.limits.maxSources) {
      this.failures = this.failures.remapped(limits.maxSources, 1);
      this.bans = this.bans.remapped(limits.maxSources, 1);
    }
    this.limits = limits;
  }

  /** O(1): one hash lookup. */
  isBanned(src: string, now: number): boolean {
    const slot = this.bans.find(src);
    if (slot < 0) return false;
    if (this.bans.time(slot) > now) return true;
    this.bans.remove(slot);
    this.expired++;
    return false;
  }

  /** Records a failure; returns the ban when this failure earns one. */
  recordFailure(src: string, now: number, reason = 0): BanEntry | undefined {
    const { failureLimit, windowMs, banMs } = this.limits;
    if (failureLimit <= 0 || banMs <= 0) return undefined; // BanTime = 0: banning off
    let slot = this.failures.find(src);
    if (slot < 0 || now - this.failures.time(slot) >= windowMs) slot = this.failures.put(src, 0, now);
    const failures = this.failures.bump(slot);
    if (failures < failureLimit) return undefined;
    this.failures.remove(slot);
    return this.ban(src, now + banMs, failures, reason);
  }

  /** Bans `src` until `until` (a ban restored from the kernel after a restart, or earned above). */
  ban(src: string, until: number, failures: number, reason: number): BanEntry {
    const b = this.bans.put(src, 0, until);
    this.bans.setCount(b, Math.min(failures, 0xffffff) * REASON_SPAN + (reason & 0xff));
    return { src, until, failures, reason };
  }

  /** Lifts the ban of `src` (and forgets its failures); whether it was banned. */
  unban(src: string, now: number): boolean {
    const f = this.failures.find(src);
    if (f >= 0) this.failures.remove(f);
    const slot = this.bans.find(src);
    if (slot < 0) return false;
    const live = this.bans.time(slot) > now;
    this.bans.remove(slot);
    if (!live) this.expired++;
    return live;
  }

  /** Lifts every ban and forgets every failure; returns how many bans were live. */
  unbanAll(now: number): number {
    const live = this.list(now).length;
    // Entry by entry (O(entries), an administrator's command): the tables keep their memory.
    for (const t of [this.bans, this.failures]) {
      const sources = [...t.entries()].map((e) => e.src);
      for (const src of sources) t.remove(t.find(src));
    }
    return live;
  }

  /** The live bans, oldest first. O(bans): for status, never on the packet path. */
  list(now: number): BanEntry[] {
    const out: BanEntry[] = [];
    for (const e of this.bans.entries()) {
      if (e.time > now) out.push({ src: e.src, until: e.time, failures: Math.floor(e.count / REASON_SPAN), reason: e.count % REASON_SPAN });
    }
    return out;
  }

  /** Forgets entries that have run out; each call does work only for expired heads. */
  prune(now: number): void {
    this.failures.prune(0, now - this.limits.windowMs);
    // Bans all last banMs, so insertion order is expiry order (until a reload
    // changes banMs or a restored ban is older; isBanned checks the time anyway).
    const before = this.bans.size;
    this.bans.prune(0, now);
    this.expired += before - this.bans.size;
  }

  get bannedCount(): number {
    return this.bans.size;
  }

  get failingCount(): number {
    return this.failures.size;
  }
}
