// The attempts in flight: one per (source, door), in a preallocated
// SourceTable whose groups are the doors, so each door's attempts are in
// start order (they share the door's seq_timeout: the oldest times out first).
//
// Each door's attempts are also kept in the order of their last knock, for
// knock_max_gap: they share the door's gap, so the stalest times out first.
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
  /** When the last step so far was matched. */
  readonly lastAt: number;
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
  /** Per door, attempts in the order of their last knock, threaded through slot numbers. */
  private readonly lastAt: Float64Array;
  private readonly touchPrev: Int32Array;
  private readonly touchNext: Int32Array;
  private readonly touchHeads: Int32Array;
  private readonly touchTails: Int32Array;

  constructor(capacity: number, doorCount: number, seed?: number) {
    this.table = new SourceTable(capacity, Math.max(1, doorCount), seed);
    this.startedAt = new Float64Array(capacity).fill(0); // fill: commit the pages now (see SourceTable)
    this.lastAt = new Float64Array(capacity).fill(0);
    this.touchPrev = new Int32Array(capacity).fill(NONE);
    this.touchNext = new Int32Array(capacity).fill(NONE);
    this.touchHeads = new Int32Array(Math.max(1, doorCount)).fill(NONE);
    this.touchTails = new Int32Array(Math.max(1, doorCount)).fill(NONE);
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
    this.touch(slot, d, now);
    return slot;
  }

  /** Moves an attempt one stage on, its step matched at `now`; returns the new stage. */
  advance(slot: number, now: number): number {
    if (this.stages[slot] === 1) this.unlinkFresh(slot);
    this.untouch(slot);
    this.touch(slot, this.table.group(slot), now);
    return ++this.stages[slot]!;
  }

  remove(slot: number): void {
    if (this.stages[slot] === 1) this.unlinkFresh(slot);
    this.untouch(slot);
    this.table.remove(slot);
  }

  view(slot: number): AttemptView {
    const family = this.families[slot] === 6 ? 6 : 4;
    return { src: this.table.source(slot), family, door: this.table.group(slot), stage: this.stages[slot]!, startedAt: this.startedAt[slot]!, lastAt: this.lastAt[slot]! };
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

  /** When the attempt's last step so far was matched. */
  last(slot: number): number {
    return this.lastAt[slot]!;
  }

  /** Door d's oldest attempt, or -1. */
  oldest(d: number): number {
    return this.table.oldest(d);
  }

  /** Door d's attempt whose last knock is the longest ago, or -1. */
  stalest(d: number): number {
    return this.touchHeads[d]!;
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
    const moved: { slot: number; lastAt: number }[] = [];
    for (const a of kept.slice(Math.max(0, kept.length - capacity))) {
      const slot = next.start(a.src, a.family, doorMap[a.door]!, a.startedAt);
      for (let s = 1; s < a.stage; s++) next.advance(slot, a.lastAt);
      moved.push({ slot, lastAt: a.lastAt });
    }
    // Re-thread the last-knock order, which need not be the start order.
    moved.sort((x, y) => x.lastAt - y.lastAt);
    for (const m of moved) {
      next.untouch(m.slot);
      next.touch(m.slot, next.door(m.slot), m.lastAt);
    }
    return next;
  }

  /** Records a knock at `now` and makes the slot its door's most recently knocked. */
  private touch(slot: number, d: number, now: number): void {
    this.lastAt[slot] = now;
    const tail = this.touchTails[d]!;
    this.touchPrev[slot] = tail;
    this.touchNext[slot] = NONE;
    if (tail === NONE) this.touchHeads[d] = slot;
    else this.touchNext[tail] = slot;
    this.touchTails[d] = slot;
  }

  private untouch(slot: number): void {
    const d = this.table.group(slot);
    const p = this.touchPrev[slot]!;
    const n = this.touchNext[slot]!;
    if (p === NONE) this.touchHeads[d] = n;
    else this.touchNext[p] = n;
    if (n === NONE) this.touchTails[d] = p;
    else this.touchPrev[n] = p;
    this.touchPrev[slot] = this.touchNext[slot] = NONE;
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
