// A fixed-capacity table keyed by (source address, group), allocated once.
//
// Why not Map and objects: a table a flood keeps full churns one entry per
// packet. With objects, every entry lives long enough to be promoted to V8's
// old space and then dies there, so the heap grows in steps until a full GC
// and RSS climbs with the flood; and a Map's insertion order makes "find the
// oldest" walk over the holes left by deletions, which grew with the table
// (~40 µs per packet at 65,536 entries). Here every field is a typed array
// sized at construction, the address text included (as bytes, not a string a
// flood would promote and discard): a lookup is one hash and a short probe,
// insert and delete are O(1), and memory does not move while the table fills
// or churns.
//
// Sources are chosen by the attacker (spoofed), so the hash is seeded with a
// random value per table: without it, addresses that share a bucket could be
// precomputed and would turn every probe into a scan (hash flooding).
//
// Each group (a door, or 0) keeps its slots in insertion order on a doubly
// linked list threaded through the slot numbers, so its oldest entry is O(1).

import { randomInt } from 'node:crypto';

const NONE = -1;
/** Longest address text kept: RFC 5952 IPv6 text is at most 39 characters, 45 with an embedded IPv4. */
export const MAX_SOURCE_LENGTH = 48;

export class SourceTable {
  readonly capacity: number;
  /** Entries in use. */
  size = 0;
  /** Address text as Latin-1 bytes, MAX_SOURCE_LENGTH per slot. */
  private readonly chars: Uint8Array;
  private readonly lengths: Uint8Array;
  private readonly groups: Uint16Array;
  private readonly hashes: Uint32Array;
  /** Open addressing with linear probing: slot + 1, 0 = empty. */
  private readonly index: Int32Array;
  private readonly mask: number;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly heads: Int32Array;
  private readonly tails: Int32Array;
  /** Free slots, a stack. */
  private readonly free: Int32Array;
  private freeTop: number;

  private readonly seed: number;

  constructor(capacity: number, groupCount: number, seed = randomSeed()) {
    this.seed = seed | 0;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
    if (groupCount < 1 || groupCount > 0xffff) throw new RangeError(`groupCount must be 1..65535, not ${groupCount}`);
    this.capacity = capacity;
    this.chars = new Uint8Array(capacity * MAX_SOURCE_LENGTH);
    this.lengths = new Uint8Array(capacity);
    this.groups = new Uint16Array(capacity);
    this.hashes = new Uint32Array(capacity);
    let size = 16;
    while (size < capacity * 2) size *= 2; // load factor at most 1/2: short probes
    this.index = new Int32Array(size);
    this.mask = size - 1;
    this.prev = new Int32Array(capacity).fill(NONE);
    this.next = new Int32Array(capacity).fill(NONE);
    this.heads = new Int32Array(groupCount).fill(NONE);
    this.tails = new Int32Array(groupCount).fill(NONE);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
    // Commit every page now (the kernel hands out zero pages lazily): memory is
    // spent at start, where the operator sees it, not while a flood fills the table.
    for (const a of [this.chars, this.lengths, this.groups, this.hashes, this.index]) a.fill(0);
  }

  get full(): boolean {
    return this.freeTop === 0;
  }

  /** The slot of (src, group), or -1. */
  find(src: string, group: number): number {
    const h = hash(this.seed, src, group);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const e = this.index[i]!;
      if (e === 0) return NONE;
      const slot = e - 1;
      if (this.hashes[slot] === h && this.groups[slot] === group && this.holds(slot, src)) return slot;
    }
  }

  /** Adds (src, group) as the group's newest entry; the key must be absent and the table not full. */
  add(src: string, group: number): number {
    if (this.freeTop === 0) throw new RangeError('SourceTable is full');
    if (src.length > MAX_SOURCE_LENGTH) throw new RangeError(`source longer than ${MAX_SOURCE_LENGTH} characters: ${src.slice(0, 60)}`);
    const slot = this.free[--this.freeTop]!;
    const h = hash(this.seed, src, group);
    const base = slot * MAX_SOURCE_LENGTH;
    for (let i = 0; i < src.length; i++) this.chars[base + i] = src.charCodeAt(i);
    this.lengths[slot] = src.length;
    this.groups[slot] = group;
    this.hashes[slot] = h;
    let i = h & this.mask;
    while (this.index[i] !== 0) i = (i + 1) & this.mask;
    this.index[i] = slot + 1;
    const tail = this.tails[group]!;
    this.prev[slot] = tail;
    this.next[slot] = NONE;
    if (tail === NONE) this.heads[group] = slot;
    else this.next[tail] = slot;
    this.tails[group] = slot;
    this.size++;
    return slot;
  }

  remove(slot: number): void {
    const group = this.groups[slot]!;
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p === NONE) this.heads[group] = n;
    else this.next[p] = n;
    if (n === NONE) this.tails[group] = p;
    else this.prev[n] = p;
    this.unindex(slot);
    this.free[this.freeTop++] = slot;
    this.size--;
  }

  /** The group's oldest slot, or -1. */
  oldest(group: number): number {
    return this.heads[group]!;
  }

  /** Of the groups' oldest slots, the one with the smallest `times[slot]`, or -1 when empty. */
  oldestHead(times: Float64Array): number {
    let best = NONE;
    for (let g = 0; g < this.heads.length; g++) {
      const head = this.heads[g]!;
      if (head !== NONE && (best === NONE || times[head]! < times[best]!)) best = head;
    }
    return best;
  }

  source(slot: number): string {
    const base = slot * MAX_SOURCE_LENGTH;
    return String.fromCharCode.apply(null, this.chars.subarray(base, base + this.lengths[slot]!) as unknown as number[]);
  }

  group(slot: number): number {
    return this.groups[slot]!;
  }

  /** Slots of a group, oldest first; removing the slot just visited is safe. */
  *slots(group: number): IterableIterator<number> {
    for (let s = this.heads[group]!; s !== NONE; ) {
      const after = this.next[s]!;
      yield s;
      s = after;
    }
  }

  private holds(slot: number, src: string): boolean {
    if (this.lengths[slot] !== src.length) return false;
    const base = slot * MAX_SOURCE_LENGTH;
    for (let i = 0; i < src.length; i++) if (this.chars[base + i] !== src.charCodeAt(i)) return false;
    return true;
  }

  // Linear-probing deletion by backward shift (Knuth 6.4, algorithm R): no tombstones,
  // so probes stay short however long the table churns.
  private unindex(slot: number): void {
    let i = this.hashes[slot]! & this.mask;
    while (this.index[i] !== slot + 1) i = (i + 1) & this.mask;
    for (let j = (i + 1) & this.mask; ; j = (j + 1) & this.mask) {
      const e = this.index[j]!;
      if (e === 0) break;
      const home = this.hashes[e - 1]! & this.mask;
      // Leave e where it is if its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      this.index[i] = e;
      i = j;
    }
    this.index[i] = 0;
  }
}

/** Seeded FNV-1a over the group and the address text, with MurmurHash3's finaliser so every bit reaches the low ones. */
function hash(seed: number, src: string, group: number): number {
  let h = Math.imul(0x811c9dc5 ^ seed ^ group, 0x01000193);
  for (let i = 0; i < src.length; i++) h = Math.imul(h ^ src.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function randomSeed(): number {
  return randomInt(2 ** 32);
}
