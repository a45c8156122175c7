// Bounded per-source records with one time each (a deadline, or when a count
// started) and a counter, for cooldowns, failure counts and bans. Preallocated
// like the attempt table (see source-table.ts), oldest first per group.
import { SourceTable } from './source-table.js';

const NONE = -1;

export class TimedSources {
  private readonly table: SourceTable;
  private readonly times: Float64Array;
  private readonly counts: Uint32Array;
  /** Entries dropped because the table was full. */
  evictions = 0;

  constructor(capacity: number, private readonly groupCount = 1) {
    this.table = new SourceTable(capacity, groupCount);
    this.times = new Float64Array(capacity).fill(0); // fill: commit the pages now (see SourceTable)
    this.counts = new Uint32Array(capacity).fill(0);
  }

  get size(): number {
    return this.table.size;
  }

  /** The slot of (src, group), or -1. */
  find(src: string, group = 0): number {
    return this.table.find(src, group);
  }

  time(slot: number): number {
    return this.times[slot]!;
  }

  count(slot: number): number {
    return this.counts[slot]!;
  }

  /** Sets the slot's counter (bans keep their failure count and reason in it, src/door/penalties.ts). */
  setCount(slot: number, n: number): void {
    this.counts[slot] = n;
  }

  /** The group's entries, oldest first (for status; O(entries)). */
  *entries(group = 0): IterableIterator<{ src: string; time: number; count: number }> {
    for (const s of this.table.slots(group)) yield { src: this.table.source(s), time: this.times[s]!, count: this.counts[s]! };
  }

  /** Adds one to the slot's counter; returns the new count. */
  bump(slot: number): number {
    return ++this.counts[slot]!;
  }

  remove(slot: number): void {
    this.table.remove(slot);
  }

  /** Records (src, group) as the newest entry with `time` and a zero count, replacing an older record. */
  put(src: string, group: number, time: number): number {
    const old = this.table.find(src, group);
    if (old !== NONE) this.table.remove(old);
    if (this.table.full) {
      this.table.remove(this.evictionVictim(group));
      this.evictions++;
    }
    const slot = this.table.add(src, group);
    this.times[slot] = time;
    this.counts[slot] = 0;
    return slot;
  }

  /** Removes the group's oldest entries while their time is at or before `cutoff`. */
  prune(group: number, cutoff: number): void {
    for (let s = this.table.oldest(group); s !== NONE && this.times[s]! <= cutoff; s = this.table.oldest(group)) this.table.remove(s);
  }

  /** A copy with another capacity or grouping: `groupMap[old] = new group or -1`; the newest entries are kept. */
  remapped(capacity: number, groupCount: number, groupMap: readonly number[] = [0]): TimedSources {
    const next = new TimedSources(capacity, groupCount);
    const entries: { src: string; group: number; time: number; count: number }[] = [];
    for (let g = 0; g < this.groupCount; g++) {
      const to = groupMap[g] ?? NONE;
      for (const s of this.table.slots(g)) {
        if (to !== NONE) entries.push({ src: this.table.source(s), group: to, time: this.times[s]!, count: this.counts[s]! });
      }
    }
    for (const e of entries.slice(Math.max(0, entries.length - capacity))) {
      const slot = next.put(e.src, e.group, e.time);
      next.counts[slot] = e.count;
    }
    return next;
  }

  /** The group's own oldest entry, else the oldest-timed head of any group. */
  private evictionVictim(group: number): number {
    const own = this.table.oldest(group);
    return own !== NONE ? own : this.table.oldestHead(this.times);
  }
}
