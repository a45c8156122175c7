// Serialises changes to one backend and batches those that arrive while a
// change is in flight: a burst of knocks becomes one firewall transaction, and
// an open and a close of the same entry can never overtake each other (only
// the last request per entry is kept).
import { entryKeyText, type Entry, type EntryKey, type FirewallBackend } from '../firewall/backend.js';

type Change = { readonly kind: 'open'; readonly entry: Entry } | { readonly kind: 'close'; readonly key: EntryKey };

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class FirewallQueue {
  private pending = new Map<string, Change>();
  private waiters: Waiter[] = [];
  private running = false;
  /** Batches applied, and the largest one (for the benchmark and status). */
  batches = 0;
  largestBatch = 0;

  constructor(private readonly backend: FirewallBackend, private readonly now: () => number) {}

  open(entries: readonly Entry[]): Promise<void> {
    return this.enqueue(entries.map((entry) => ({ kind: 'open', entry })));
  }

  close(keys: readonly EntryKey[]): Promise<void> {
    return this.enqueue(keys.map((key) => ({ kind: 'close', key })));
  }

  /** Resolves once everything queued so far is applied (or failed). */
  async idle(): Promise<void> {
    while (this.running || this.pending.size > 0) await new Promise<void>((r) => setImmediate(r));
  }

  private enqueue(changes: readonly Change[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    for (const c of changes) this.pending.set(entryKeyText(c.kind === 'open' ? c.entry : c.key), c);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.running) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Let the rest of this tick's knocks join the batch.
    await Promise.resolve();
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()];
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      this.batches++;
      this.largestBatch = Math.max(this.largestBatch, batch.length);
      try {
        const closes = batch.flatMap((c) => (c.kind === 'close' ? [c.key] : []));
        const opens = batch.flatMap((c) => (c.kind === 'open' ? [c.entry] : []));
        if (closes.length > 0) await this.backend.close(closes);
        if (opens.length > 0) await this.backend.open(opens, this.now());
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.running = false;
  }
}
