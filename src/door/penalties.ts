// Failure counting and bans per source address. Both tables are bounded and
// ordered oldest first (OldestFirstMap), so pruning is O(1) per expired entry
// and eviction under a spoofed flood drops the oldest in O(1).
import { OldestFirstMap } from './oldest-first.js';

export interface PenaltyLimits {
  /** Failures within `windowMs` that earn a ban. */
  readonly failureLimit: number;
  readonly windowMs: number;
  readonly banMs: number;
  /** Most sources tracked in each table. */
  readonly maxSources: number;
}

interface Failures {
  count: number;
  firstAt: number;
}

export class SourcePenalties {
  private readonly failures = new OldestFirstMap<string, Failures>();
  private readonly bans = new OldestFirstMap<string, number>();
  /** Entries dropped because a table was full. */
  evictions = 0;

  constructor(private limits: PenaltyLimits) {}

  setLimits(limits: PenaltyLimits): void {
    this.limits = limits;
  }

  isBanned(src: string, now: number): boolean {
    const until = this.bans.get(src);
    if (until === undefined) return false;
    if (until > now) return true;
    this.bans.delete(src);
    return false;
  }

  /** Records a failure; returns the ban expiry when this failure earns a ban. */
  recordFailure(src: string, now: number): number | undefined {
    const { failureLimit, windowMs, banMs } = this.limits;
    if (failureLimit <= 0 || banMs <= 0) return undefined; // BanTime = 0: banning off
    let f = this.failures.get(src);
    if (f === undefined || now - f.firstAt >= windowMs) {
      this.failures.delete(src);
      f = { count: 0, firstAt: now };
      this.makeRoom(this.failures);
    }
    f.count++;
    this.failures.set(src, f);
    if (f.count < failureLimit) return undefined;
    this.failures.delete(src);
    const until = now + banMs;
    this.bans.delete(src);
    this.makeRoom(this.bans);
    this.bans.set(src, until);
    return until;
  }

  /** Forgets entries that have run out; each call does work only for expired heads. */
  prune(now: number): void {
    while (now - (this.failures.oldest()?.value.firstAt ?? Infinity) >= this.limits.windowMs) this.failures.shift();
    // Bans all last banMs, so insertion order is expiry order (until a reload changes banMs).
    while ((this.bans.oldest()?.value ?? Infinity) <= now) this.bans.shift();
  }

  get bannedCount(): number {
    return this.bans.size;
  }

  get failingCount(): number {
    return this.failures.size;
  }

  private makeRoom(table: OldestFirstMap<string, unknown>): void {
    if (table.size < this.limits.maxSources) return;
    if (table.shift() !== undefined) this.evictions++;
  }
}
