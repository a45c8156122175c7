// The attempts in flight: one per (source, door), in a preallocated
// SourceTable whose groups are the doors, so each door's attempts are in
// start order (they share the door's seq_timeout: the oldest times out first).
//
// When the table is full, attempts still at stage 1 go first, oldest first: a
// flood of spoofed sources only ever makes stage-1 attempts (each address sends
// one packet), so a client that has got further keeps its place however fast
// the flood comes.
import { SourceTable } from './source-table.js';

const NONE = -1;

export interface AttemptView {
  readonly src: string;
  readonly family: 4 | 6;
  readonly door: number;
  /** Steps matched so far (1-based stage of the last match). */
  readonly stage: number;
  readonly startedAt: number;
}

export class AttemptTable {
  private readonly table: SourceTable;
  private readonly startedAt: Float64Array;
  private readonly stages: Uint8Array;
  private readonly families: Uint8Array;
  /** Stage-1 attempts in start order, threaded through slot numbers. */
  private readonly freshPrev: Int32Array;
  private readonly freshNext: Int32Array;
  private freshHead = NONE;
  private freshTail = NONE;

  constructor(capacity: number, doorCount: number, seed?: number) {
    this.table = new SourceTable(capacity, Math.max(1, doorCount), seed);
    this.startedAt = new Float64Array(capacity).fill(0); // fill: commit the pages now (see SourceTable)
    this.stages = new Uint8Array(capacity).fill(0);
    this.families = new Uint8Array(capacity).fill(0);
    this.freshPrev = new Int32Array(capacity).fill(NONE);
    this.freshNext = new Int32Array(capacity).fill(NONE);
  }

  get size(): number {
    return this.table.size;
  }

  get full(): boolean {
    return this.table.full;
  }

  /** The slot of src's attempt on door d, or -1. */
  find(src: string, d: number): number {
    return this.table.find(src, d);
  }

  /** Starts an attempt at stage 1; the caller makes room first. */
  start(src: string, family: 4 | 6, d: number, now: number): number {
    const slot = this.table.add(src, d);
    this.startedAt[slot] = now;
    this.stages[slot] = 1;
    this.families[slot] = family;
    this.freshPrev[slot] = this.freshTail;
    this.freshNext[slot] = NONE;
    if (this.freshTail === NONE) this.freshHead = slot;
    else this.freshNext[this.freshTail] = slot;
    this.freshTail = slot;
    return slot;
  }

  /** Moves an attempt one stage on; returns the new stage. */
  advance(slot: number): number {
    if (this.stages[slot] === 1) this.unlinkFresh(slot);
    return ++this.stages[slot]!;
  }

  remove(slot: number): void {
    if (this.stages[slot] === 1) this.unlinkFresh(slot);
    this.table.remove(slot);
  }

  view(slot: number): AttemptView {
    const family = this.families[slot] === 6 ? 6 : 4;
    return { src: this.table.source(slot), family, door: this.table.group(slot), stage: this.stages[slot]!, startedAt: this.startedAt[slot]! };
  }

  source(slot: number): string {
    return this.table.source(slot);
  }

  door(slot: number): number {
    return this.table.group(slot);
  }

  stage(slot: number): number {
    return this.stages[slot]!;
  }

  started(slot: number): number {
    return this.startedAt[slot]!;
  }

  /** Door d's oldest attempt, or -1. */
  oldest(d: number): number {
    return this.table.oldest(d);
  }

  /** The attempt to drop when the table is full: the oldest at stage 1, else the oldest of any door. */
  victim(): number {
    return this.freshHead !== NONE ? this.freshHead : this.table.oldestHead(this.startedAt);
  }

  /** Every attempt, oldest first. */
  all(doorCount: number): AttemptView[] {
    const out: AttemptView[] = [];
    for (let d = 0; d < doorCount; d++) for (const s of this.table.slots(d)) out.push(this.view(s));
    return out.sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Copies the attempts of the doors that `doorMap` keeps (old index → new index, or -1) into a new table. */
  remapped(capacity: number, doorCount: number, oldDoorCount: number, doorMap: readonly number[]): AttemptTable {
    const next = new AttemptTable(capacity, doorCount);
    const kept = this.all(oldDoorCount).filter((a) => (doorMap[a.door] ?? NONE) !== NONE);
    for (const a of kept.slice(Math.max(0, kept.length - capacity))) {
      const slot = next.start(a.src, a.family, doorMap[a.door]!, a.startedAt);
      for (let s = 1; s < a.stage; s++) next.advance(slot);
    }
    return next;
  }

  private unlinkFresh(slot: number): void {
    const p = this.freshPrev[slot]!;
    const n = this.freshNext[slot]!;
    if (p === NONE) this.freshHead = n;
    else this.freshNext[p] = n;
    if (n === NONE) this.freshTail = p;
    else this.freshPrev[n] = p;
    this.freshPrev[slot] = this.freshNext[slot] = NONE;
  }
}
