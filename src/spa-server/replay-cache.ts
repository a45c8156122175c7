// The SPA replay cache: the digests (b64 SHA-256 of the wire packet, as
// fwknopd's digest.cache) of every packet that decrypted, so the same packet
// never counts twice. fwknopd's file grows forever; here it is bounded:
//
//  * An entry is only needed while a replay of its packet could pass the age
//    check: until max(packet timestamp, time seen) + max_spa_packet_age.
//    Older packets fail the age check anyway (both directions: a packet
//    stamped in the future is kept until its own timestamp is too old).
//  * A hard cap (default 65,536) with oldest-first eviction. Only packets
//    that authenticated (HMAC, then decryption with the door's key) are ever
//    added, so only a key holder can fill it.
//
// A ring buffer in arrival order plus a Map for lookup: O(1) per packet,
// the Map is never iterated (its holes after deletes cost nothing), and
// pruning takes expired entries from the head only.
//
// Persisted in the state directory (`spa-replay.json`), written atomically
// and off the event loop by a CoalescedWriter, and loaded at start, so a
// restart does not reopen a replay window. An unreadable file cannot say
// what was seen: then packets stamped before this start are refused until
// they would be too old anyway (`notBefore`).
import { join } from 'node:path';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { FileStore } from '../state/atomic-file.js';
import { CoalescedWriter } from '../state/coalesced-writer.js';

export const DEFAULT_REPLAY_ENTRIES = 65_536;

/** The replay cache file inside a state directory. */
export function spaReplayPath(stateDir: string): string {
  return join(stateDir, 'spa-replay.json');
}

/** fwknopd's replay key: b64(SHA-256) without `=` (43 characters). */
const DIGEST = /^[A-Za-z0-9+/]{43}$/;

export class ReplayCache {
  private readonly digests: (string | undefined)[];
  private readonly seenAt: Float64Array;
  private readonly stamped: Float64Array;
  private readonly slots = new Map<string, number>();
  private head = 0;
  private count = 0;
  /** Entries dropped while still able to pass the age check (the cap was reached). */
  evictedLive = 0;

  constructor(readonly capacity = DEFAULT_REPLAY_ENTRIES) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`replay cache capacity must be a positive integer, got ${capacity}`);
    this.digests = new Array<string | undefined>(capacity);
    this.seenAt = new Float64Array(capacity);
    this.stamped = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  has(digest: string): boolean {
    return this.slots.has(digest);
  }

  /**
   * Records `digest`, seen at `seenAt` (ms), for a packet stamped `stampedAt`
   * (ms). Returns false if it was there already. When full, the oldest entry
   * goes; if it could still be replayed (`now`, `maxAgeMs`), `evictedLive` counts it.
   */
  add(digest: string, seenAt: number, stampedAt: number, maxAgeMs: number): boolean {
    if (this.slots.has(digest)) return false;
    this.prune(seenAt, maxAgeMs);
    if (this.count === this.capacity) {
      if (!this.expired(this.head, seenAt, maxAgeMs)) this.evictedLive++;
      this.removeHead();
    }
    const slot = (this.head + this.count) % this.capacity;
    this.digests[slot] = digest;
    this.seenAt[slot] = seenAt;
    this.stamped[slot] = stampedAt;
    this.slots.set(digest, slot);
    this.count++;
    return true;
  }

  /** Drops entries from the oldest on that no replay could use any more; stops at the first live one. */
  prune(now: number, maxAgeMs: number): number {
    let n = 0;
    while (this.count > 0 && this.expired(this.head, now, maxAgeMs)) {
      this.removeHead();
      n++;
    }
    return n;
  }

  /** Oldest first: [digest, seenAt, stampedAt]. */
  *entries(): Generator<[string, number, number]> {
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.capacity;
      yield [this.digests[slot]!, this.seenAt[slot]!, this.stamped[slot]!];
    }
  }

  private expired(slot: number, now: number, maxAgeMs: number): boolean {
    return now > Math.max(this.seenAt[slot]!, this.stamped[slot]!) + maxAgeMs;
  }

  private removeHead(): void {
    const digest = this.digests[this.head]!;
    this.slots.delete(digest);
    this.digests[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }
}

/**
 * The file's text: `{"version":1,"running":true,"entries":[[digest, seenAtMs, stampedAtMs], …]}`,
 * oldest first. `running` is true from start until a clean stop.
 */
export function serializeReplay(cache: ReplayCache, running = false): string {
  const rows = [...cache.entries()].map(([d, s, t]) => JSON.stringify([d, s, t]));
  return `{"version":1,"running":${running},"entries":[${rows.join(',\n')}]}\n`;
}

export interface ParsedReplay {
  /** The daemon that wrote it did not stop cleanly (its last digests may be missing). */
  readonly running: boolean;
  readonly entries: [string, number, number][];
  /** Rows that were not an entry (skipped). */
  readonly rejected: number;
}

/** Parses the file's text; throws on a file that is not a replay cache at all. */
export function parseReplay(text: string): ParsedReplay {
  const data = JSON.parse(text) as unknown;
  if (typeof data !== 'object' || data === null || (data as { version?: unknown }).version !== 1 || !Array.isArray((data as { entries?: unknown }).entries)) {
    throw new Error('not a version 1 SPA replay cache');
  }
  const entries: [string, number, number][] = [];
  let rejected = 0;
  for (const row of (data as { entries: unknown[] }).entries) {
    if (Array.isArray(row) && row.length === 3 && typeof row[0] === 'string' && DIGEST.test(row[0])
      && Number.isFinite(row[1]) && Number.isFinite(row[2])) {
      entries.push([row[0], row[1] as number, row[2] as number]);
    } else rejected++;
  }
  return { running: (data as { running?: unknown }).running === true, entries, rejected };
}

export interface ReplayStoreDeps {
  readonly store: FileStore;
  readonly path: string;
  readonly log: Logger;
  readonly capacity?: number;
}

/** The cache with its file: loaded at start, written (coalesced, atomic, async) after every change. */
export class ReplayStore {
  cache: ReplayCache;
  /** Packets stamped before this (ms) are refused: set when the file could not be read (what was seen is unknown). */
  notBefore: number | undefined;
  private readonly writer: CoalescedWriter;
  private running = false;

  constructor(private readonly deps: ReplayStoreDeps) {
    this.cache = new ReplayCache(deps.capacity ?? DEFAULT_REPLAY_ENTRIES);
    this.writer = new CoalescedWriter(deps.store, deps.path, deps.log, () => serializeReplay(this.cache, this.running), 'the SPA replay cache');
  }

  /**
   * Marks the file as in use, synchronously, before any packet is accepted.
   * Grants are made before their digest reaches the disk (a 5 ms fsync stays
   * off the grant path); if the daemon then dies, the next start finds the
   * mark and refuses every packet stamped before it (notBefore), so no replay
   * window reopens, even after a crash.
   */
  private markRunning(): void {
    this.running = true;
    try {
      this.deps.store.writeAtomic(this.deps.path, serializeReplay(this.cache, true));
    } catch (err) {
      this.deps.log.error(`cannot write ${this.deps.path}: ${(err as Error).message}; replays of packets accepted now could be honoured again after a crash`, ev('state.error', { path: this.deps.path, error: (err as Error).message }));
    }
  }

  /** A clean stop: the last digests and `running: false` are on disk. */
  async close(): Promise<void> {
    if (!this.running) return this.writer.settled();
    this.running = false;
    this.writer.markDirty();
    await this.writer.settled();
  }

  /** Reads the file; entries no replay could use any more are dropped. */
  load(now: number, maxAgeMs: number): void {
    const { store, path, log } = this.deps;
    this.cache = new ReplayCache(this.cache.capacity);
    let text: string | undefined;
    try {
      text = store.read(path);
    } catch (err) {
      this.unknown(now, maxAgeMs, `cannot read ${path}: ${(err as Error).message}`);
      this.markRunning();
      return;
    }
    if (text === undefined) {
      this.markRunning();
      return;
    }
    let parsed: ParsedReplay;
    try {
      parsed = parseReplay(text);
    } catch (err) {
      this.unknown(now, maxAgeMs, `${path} is unusable (${(err as Error).message})`);
      this.markRunning();
      return;
    }
    if (parsed.rejected > 0) log.warn(`${path}: ${parsed.rejected} unusable replay cache entr${parsed.rejected === 1 ? 'y' : 'ies'} skipped`);
    // Arrival order, as the ring keeps them; a clock step backwards leaves them merely out of order.
    for (const [digest, seenAt, stamped] of parsed.entries.sort((a, b) => a[1] - b[1])) {
      this.cache.add(digest, seenAt, stamped, Number.POSITIVE_INFINITY);
    }
    this.cache.prune(now, maxAgeMs);
    this.cache.evictedLive = 0;
    log.info(`SPA replay cache: ${this.cache.size} recent packet digest(s) loaded from ${path}`);
    if (parsed.running) this.unknown(now, maxAgeMs, `the previous run did not stop cleanly (${path} still marked running)`);
    this.markRunning();
  }

  has(digest: string): boolean {
    return this.cache.has(digest);
  }

  /** Records a digest and queues the write; `then` runs once the file holds it (or the write failed). */
  add(digest: string, seenAt: number, stampedAt: number, maxAgeMs: number): void {
    this.cache.add(digest, seenAt, stampedAt, maxAgeMs);
    this.writer.markDirty();
  }

  /** Runs `then` after the next write (the digests added so far are on disk, unless it failed). */
  afterWrite(then: () => void): void {
    this.writer.markDirty(then);
  }

  /** Drops expired entries (and rewrites the file if any went). */
  prune(now: number, maxAgeMs: number): void {
    if (this.cache.prune(now, maxAgeMs) > 0) this.writer.markDirty();
  }

  settled(): Promise<void> {
    return this.writer.settled();
  }

  get pending(): boolean {
    return this.writer.pending;
  }

  private unknown(now: number, maxAgeMs: number, why: string): void {
    this.notBefore = now;
    this.deps.log.warn(`${why}; SPA packets stamped before now are refused for the next ${Math.round(maxAgeMs / 1000)} s (their replays cannot be told apart)`);
  }
}
