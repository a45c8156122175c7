// The knock state machine: one attempt per (source address, door).
//
//   (none) --first step--> stage 1 --next step--> ... --last step--> OPEN, back to (none)
//      ^                      |  wrong knock, decoy, or a next step sooner than knock_min_gap: fail (and maybe start again)
//      +----------------------+  seq_timeout after the first knock, or knock_max_gap after the last: timeout
//
// Pure: no I/O, time is an argument. Per packet the work is O(number of doors),
// never O(number of sources): attempts, cooldowns and penalties live in
// preallocated hash tables (attempts.ts, timed-sources.ts), oldest first per
// door, so timeouts and eviction take the head in O(1) and memory stays put
// however hard a flood churns them.
import type { Door, Options, Step } from '../config/model.js';
import { cidrContains } from '../config/cidr.js';
import type { Packet } from '../packet/packet.js';
import { AttemptTable } from './attempts.js';
import { DecoySet, NO_HOST_PORTS, type HostPorts } from './decoys.js';
import type { DoorEvent, Ignored } from './events.js';
import { isStep, flagsMatch, portKey } from './match.js';
import { BanAuthority } from '../bans/authority.js';
import { TimedSources } from './timed-sources.js';

export type Emit = (event: DoorEvent) => void;

export interface KeeperStats {
  attempts: number;
  banned: number;
  failing: number;
  evictions: number;
}

export class Doorkeeper {
  private doors: readonly Door[] = [];
  private options!: Options;
  private attempts = new AttemptTable(1, 1);
  /** Per (source, door): when its cooldown on that door ends. Oldest first (each door's cooldowns all last as long). */
  private cooldowns = new TimedSources(1, 1);
  /** Door steps by (protocol, port), to tell a knock from noise in O(1). */
  private stepsByPort = new Map<number, { door: Door; step: Step }[]>();
  private decoys!: DecoySet;
  private host: HostPorts = NO_HOST_PORTS;
  private local = new Set<string>();
  /** The latest time the keeper was given (a reload has no clock of its own). */
  private lastNow = 0;
  /** Failures and bans: the daemon's one authority, shared with SPA doors (src/bans/authority.ts). */
  private readonly bans: BanAuthority;
  private evictions = 0;

  constructor(doors: readonly Door[], options: Options, bans?: BanAuthority) {
    this.bans = bans ?? new BanAuthority(options);
    this.reconfigure(doors, options);
  }

  /** Addresses that count as "to this host" for doors without a Target. */
  setLocalAddresses(addresses: Iterable<string>): void {
    this.local = new Set(addresses);
  }

  /** Ports the host uses itself; with `Decoys = auto` every other port is a decoy. */
  setHostPorts(host: HostPorts): void {
    this.host = host;
    this.decoys = new DecoySet(this.options.decoys, this.allSteps(), host);
  }

  /**
   * Installs a new door list. Attempts and cooldowns of doors that did not
   * change (same name and matching rules) carry over; the rest are dropped.
   */
  reconfigure(doors: readonly Door[], options: Options): void {
    const oldKeys = this.doors.map(doorSignature);
    const doorMap = oldKeys.map(() => -1); // old door index -> new, or -1
    doors.forEach((door, d) => {
      const key = doorSignature(door);
      const old = oldKeys.findIndex((k, i) => k === key && doorMap[i] === -1);
      if (old >= 0) doorMap[old] = d;
    });
    const doorCount = Math.max(1, doors.length);
    this.attempts = this.attempts.remapped(options.maxAttempts, doorCount, Math.max(1, this.doors.length), doorMap);
    this.cooldowns = this.cooldowns.remapped(options.maxTrackedSources, doorCount, doorMap);
    this.doors = doors;
    this.options = options;
    this.indexSteps();
    this.bans.reconfigure(options, this.lastNow);
    this.decoys = new DecoySet(options.decoys, this.allSteps(), this.host);
  }

  /**
   * Swaps door `d` for `door` in place: a sequence_secret door's window slot
   * moving to a new window or used up (src/daemon/secret-sequences.ts). Door
   * d's attempts are dropped (its sequence is another), every other door's
   * stay, and nothing is reallocated: O(door d's attempts + all steps).
   */
  replaceDoor(d: number, door: Door): void {
    for (let a = this.attempts.oldest(d); a >= 0; a = this.attempts.oldest(d)) this.attempts.remove(a);
    this.doors = this.doors.map((x, i) => (i === d ? door : x));
    this.indexSteps();
    this.decoys = new DecoySet(this.options.decoys, this.allSteps(), this.host);
  }

  /**
   * A door list of the same shape (same length, same names in order) is
   * swapped in place, door by door where its matching rules changed
   * (replaceDoor); any other list is a reconfigure.
   */
  update(doors: readonly Door[]): void {
    const same = doors.length === this.doors.length && doors.every((x, i) => x.name === this.doors[i]!.name);
    if (!same) return this.reconfigure(doors, this.options);
    doors.forEach((x, i) => { if (doorSignature(x) !== doorSignature(this.doors[i]!)) this.replaceDoor(i, x); });
  }

  private indexSteps(): void {
    this.stepsByPort = new Map();
    for (const door of this.doors) {
      for (const step of door.sequence) {
        const key = portKey(step.proto, step.port);
        const list = this.stepsByPort.get(key) ?? [];
        list.push({ door, step });
        this.stepsByPort.set(key, list);
      }
    }
  }

  /**
   * Feeds one packet. Events go to `emit`; the return value says why the
   * packet was ignored, if it was.
   */
  onPacket(p: Packet, now: number, emit: Emit): Ignored | undefined {
    const src = p.src;
    this.lastNow = now;
    if (this.bans.isBanned(src, now)) return 'banned';
    const decoy = this.decoys.has(p);
    const knock = decoy ? false : this.isAnyKnock(p);
    if (!knock && !decoy) return 'noise';

    const attempts = this.attempts;
    let progressed = false;
    let failed: 'wrong-knock' | 'too-soon' | 'decoy' | undefined;
    let forUs = false;
    for (let d = 0; d < this.doors.length; d++) {
      const door = this.doors[d]!;
      if (door.sequence.length === 0) continue; // a sequence_secret slot with no window (used up)
      if (!this.isForDoor(door, p.dst)) continue;
      forUs = true;
      let a = attempts.find(src, d);
      if (a >= 0 && this.expired(door, a, now)) {
        // The timer has not fired yet; expire it now, on time by the clock.
        emit({ kind: 'timeout', src, door, stage: attempts.stage(a) });
        attempts.remove(a);
        a = -1;
      }
      if (a >= 0) {
        const stage = attempts.stage(a);
        const next = isStep(door, door.sequence[stage]!, p);
        const early = next && door.knockMinGapMs > 0 && now - attempts.last(a) < door.knockMinGapMs;
        if (next && !early) {
          progressed = true;
          this.advance(a, d, door, now, emit);
          continue;
        }
        if (door.allowDuplicates && isStep(door, door.sequence[stage - 1]!, p)) {
          progressed = true; // a retransmitted knock of the stage just matched
          continue;
        }
        // knockd: a knock port hit with the wrong TCP flags is ignored, not fatal. A decoy is always fatal.
        if (!decoy && !flagsMatch(door, p)) continue;
        attempts.remove(a);
        failed = decoy ? 'decoy' : early ? 'too-soon' : 'wrong-knock';
        emit({ kind: 'fail', src, door, stage, reason: failed, port: p.dstPort });
      }
      // No attempt (or it just failed): this packet may begin one.
      if (knock && isStep(door, door.sequence[0]!, p) && this.mayStart(d, door, src, now)) {
        progressed = true;
        this.start(d, door, p, now, emit);
      }
    }
    if (!forUs) return 'not-for-us';
    if (decoy || (failed !== undefined && !progressed)) {
      const ban = this.bans.fail(src, decoy ? 'decoy' : failed!, now);
      if (ban !== undefined) {
        this.dropSource(src);
        emit({ kind: 'ban', src, until: ban.until });
      }
    }
    return undefined;
  }

  /** Times out every attempt whose seq_timeout (or knock_max_gap) has passed. */
  expire(now: number, emit: Emit): void {
    const attempts = this.attempts;
    for (let d = 0; d < this.doors.length; d++) {
      const door = this.doors[d]!;
      for (let a = attempts.oldest(d); a >= 0 && now - attempts.started(a) >= door.seqTimeoutMs; a = attempts.oldest(d)) {
        emit({ kind: 'timeout', src: attempts.source(a), door, stage: attempts.stage(a) });
        attempts.remove(a);
      }
      // The same door's attempts by last knock: the stalest gap ends first.
      const gap = door.knockMaxGapMs;
      for (let a = attempts.stalest(d); gap > 0 && a >= 0 && now - attempts.last(a) >= gap; a = attempts.stalest(d)) {
        emit({ kind: 'timeout', src: attempts.source(a), door, stage: attempts.stage(a) });
        attempts.remove(a);
      }
      this.cooldowns.prune(d, now);
    }
    this.bans.prune(now);
    this.lastNow = now;
  }

  /** When the next attempt times out, for the daemon's timer. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (let d = 0; d < this.doors.length; d++) {
      const door = this.doors[d]!;
      const first = this.attempts.oldest(d);
      if (first < 0) continue;
      let at = this.attempts.started(first) + door.seqTimeoutMs;
      if (door.knockMaxGapMs > 0) at = Math.min(at, this.attempts.last(this.attempts.stalest(d)) + door.knockMaxGapMs);
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /** Attempts in flight, for status output. */
  inFlight(): { src: string; door: string; stage: number; startedAt: number }[] {
    return this.attempts.all(this.doors.length).map((a) => ({ src: a.src, door: this.doors[a.door]!.name, stage: a.stage, startedAt: a.startedAt }));
  }

  stats(): KeeperStats {
    const b = this.bans.counts();
    return {
      attempts: this.attempts.size,
      banned: b.active,
      failing: b.failing,
      evictions: this.evictions + this.cooldowns.evictions + b.evictions,
    };
  }

  /** Whether the attempt ran out of time: seq_timeout from its first knock, knock_max_gap from its last (knockd: elapsed >= timeout is late). */
  private expired(door: Door, a: number, now: number): boolean {
    return now - this.attempts.started(a) >= door.seqTimeoutMs
      || (door.knockMaxGapMs > 0 && now - this.attempts.last(a) >= door.knockMaxGapMs);
  }

  private advance(a: number, d: number, door: Door, now: number, emit: Emit): void {
    const { src, family } = this.attempts.view(a);
    const stage = this.attempts.advance(a, now);
    emit({ kind: 'stage', src, family, door, stage });
    if (stage >= door.sequence.length) {
      this.attempts.remove(a);
      this.opened(d, door, src, family, now, emit);
    }
  }

  private start(d: number, door: Door, p: Packet, now: number, emit: Emit): void {
    emit({ kind: 'stage', src: p.src, family: p.family, door, stage: 1 });
    if (door.sequence.length === 1) {
      this.opened(d, door, p.src, p.family, now, emit);
      return;
    }
    if (this.attempts.full) {
      const victim = this.attempts.victim();
      const evicted = { kind: 'evict', src: this.attempts.source(victim), door: this.doors[this.attempts.door(victim)]!, stage: this.attempts.stage(victim) } as const;
      this.attempts.remove(victim);
      this.evictions++;
      emit(evicted);
    }
    this.attempts.start(p.src, p.family, d, now);
  }

  private opened(d: number, door: Door, src: string, family: 4 | 6, now: number, emit: Emit): void {
    if (door.cooldownMs > 0) this.cooldowns.put(src, d, now + door.cooldownMs);
    emit({ kind: 'open', src, family, door });
  }

  private mayStart(d: number, door: Door, src: string, now: number): boolean {
    if (door.allow.length > 0 && !door.allow.some((c) => cidrContains(c, src))) return false;
    const slot = this.cooldowns.find(src, d);
    return slot < 0 || this.cooldowns.time(slot) <= now;
  }

  private isForDoor(door: Door, dst: string): boolean {
    return door.target !== undefined ? door.target === dst : this.local.has(dst);
  }

  private isAnyKnock(p: Packet): boolean {
    const candidates = this.stepsByPort.get(portKey(p.proto, p.dstPort));
    if (candidates === undefined) return false;
    for (const { door, step } of candidates) if (isStep(door, step, p)) return true;
    return false;
  }

  private dropSource(src: string): void {
    for (let d = 0; d < this.doors.length; d++) {
      const a = this.attempts.find(src, d);
      if (a >= 0) this.attempts.remove(a);
    }
  }

  private allSteps(): Step[] {
    return this.doors.flatMap((d) => d.sequence);
  }
}

/** Everything that decides how a door matches; equal signatures keep their attempts on reload. */
export function doorSignature(door: Door): string {
  return JSON.stringify([
    door.name,
    door.sequence.map((s) => [s.proto, s.port, s.payload ? Buffer.from(s.payload).toString('hex') : null]),
    door.seqTimeoutMs,
    door.knockMinGapMs,
    door.knockMaxGapMs,
    door.tcpFlags,
    door.target ?? null,
    door.allow.map((c) => c.text),
    door.allowDuplicates,
    door.cooldownMs,
  ]);
}
