// Summaries for things that happen per packet (scanner hits, banned sources,
// evictions): logging each one would let an attacker flood the log, so they are
// counted and reported at most once per interval. Pure: time is an argument.

export interface SummaryCounts {
  /** Events since the last summary. */
  readonly events: number;
  /** Distinct keys (e.g. source addresses) seen, up to the key cap. */
  readonly keys: number;
  /** More distinct keys arrived than the cap; `keys` is a lower bound. */
  readonly keysCapped: boolean;
  /** Seconds from the first event after the previous summary to now (at least 1). */
  readonly seconds: number;
  /** The keys with the most events, most first (at most 3). */
  readonly top: ReadonlyArray<readonly [string, number]>;
}

export interface RateLimitedSummaryOptions {
  /** Turns the counts into the log line, e.g. `ignored 1234 packets from 56 banned sources in the last 10 s`. */
  readonly describe: (counts: SummaryCounts) => string;
  readonly intervalMs?: number;
  /** Distinct keys remembered per interval. */
  readonly maxKeys?: number;
}

export class RateLimitedSummary {
  private readonly describe: (counts: SummaryCounts) => string;
  private readonly intervalMs: number;
  private readonly maxKeys: number;
  private counts = new Map<string, number>();
  private events = 0;
  private keysCapped = false;
  private windowStart: number | undefined;
  private lastEmit = -Infinity;

  constructor(options: RateLimitedSummaryOptions) {
    this.describe = options.describe;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.maxKeys = options.maxKeys ?? 4096;
  }

  note(key: string, now: number): void {
    this.events++;
    this.windowStart ??= now;
    const seen = this.counts.get(key);
    if (seen !== undefined) this.counts.set(key, seen + 1);
    else if (this.counts.size < this.maxKeys) this.counts.set(key, 1);
    else this.keysCapped = true;
  }

  /** The summary line if something was noted and the last one is at least an interval old; else nothing. */
  flush(now: number): string[] {
    if (this.events === 0 || now - this.lastEmit < this.intervalMs) return [];
    const top = [...this.counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
    const seconds = Math.max(1, Math.round((now - (this.windowStart ?? now)) / 1000));
    const line = this.describe({ events: this.events, keys: this.counts.size, keysCapped: this.keysCapped, seconds, top });
    this.counts = new Map();
    this.events = 0;
    this.keysCapped = false;
    this.windowStart = undefined;
    this.lastEmit = now;
    return [line];
  }
}
