// Failure counting and bans per source address. Both tables are bounded,
// preallocated and ordered oldest first (TimedSources), so pruning is O(1) per
// expired entry and a spoofed flood of failures evicts the oldest in O(1)
// without growing memory.
import { TimedSources } from './timed-sources.js';

export interface PenaltyLimits {
  /** Failures within `windowMs` that earn a ban. */
  readonly failureLimit: number;
  readonly windowMs: number;
  readonly banMs: number;
  /** Most sources tracked in each table. */
  readonly maxSources: number;
}

export class SourcePenalties {
  /** Per source: when its first counted failure was, and how many since. */
  private failures: TimedSources;
  /** Per source: when its ban ends. */
  private bans: TimedSources;

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

  isBanned(src: string, now: number): boolean {
    const slot = this.bans.find(src);
    if (slot < 0) return false;
    if (this.bans.time(slot) > now) return true;
    this.bans.remove(slot);
    return false;
  }

  /** Records a failure; returns the ban expiry when this failure earns a ban. */
  recordFailure(src: string, now: number): number | undefined {
    const { failureLimit, windowMs, banMs } = this.limits;
    if (failureLimit <= 0 || banMs <= 0) return undefined; // BanTime = 0: banning off
    let slot = this.failures.find(src);
    if (slot < 0 || now - this.failures.time(slot) >= windowMs) slot = this.failures.put(src, 0, now);
    if (this.failures.bump(slot) < failureLimit) return undefined;
    this.failures.remove(slot);
    const until = now + banMs;
    this.bans.put(src, 0, until);
    return until;
  }

  /** Forgets entries that have run out; each call does work only for expired heads. */
  prune(now: number): void {
    this.failures.prune(0, now - this.limits.windowMs);
    // Bans all last banMs, so insertion order is expiry order (until a reload changes banMs).
    this.bans.prune(0, now);
  }

  get bannedCount(): number {
    return this.bans.size;
  }

  get failingCount(): number {
    return this.failures.size;
  }
}
