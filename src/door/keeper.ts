// The knock state machine: one attempt per (source address, door).
//
//   (none) --first step--> stage 1 --next step--> ... --last step--> OPEN, back to (none)
//      ^                      |  wrong knock or decoy: fail (and maybe start again)
//      +----------------------+  seq_timeout after the first knock: timeout
//
// Pure: no I/O, time is an argument. Per packet the work is O(number of doors),
// never O(number of sources): attempts live in one table per door keyed by
// source, each oldest first (OldestFirstMap), so timeouts and eviction take the
// head in O(1).
//
// Eviction when the table is full prefers attempts still at stage 1: a flood
// of spoofed sources only ever makes stage-1 attempts (each address sends one
// packet), so a client that has got further keeps its place however fast the
// flood comes.
import type { Door, Options, Step } from '../config/model.js';
import { cidrContains } from '../config/cidr.js';
import type { Packet } from '../packet/packet.js';
import { DecoySet, NO_HOST_PORTS, type HostPorts } from './decoys.js';
import type { DoorEvent, Ignored } from './events.js';
import { isStep, flagsMatch, portKey } from './match.js';
import { OldestFirstMap } from './oldest-first.js';
import { SourcePenalties } from './penalties.js';

interface Attempt {
  readonly src: string;
  readonly family: 4 | 6;
  door: number;
  /** Steps matched so far (1-based stage of the last match). */
  stage: number;
  readonly startedAt: number;
}

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
  /** attempts[d]: source → attempt on door d, oldest first (all share d's seq_timeout). */
  private attempts: OldestFirstMap<string, Attempt>[] = [];
  /** Attempts at stage 1, oldest first: the first to go when the table is full. */
  private fresh = new OldestFirstMap<Attempt, Attempt>();
  /** Attempts in flight, over all doors. */
  private count = 0;
  /** cooldowns[d]: source → end of its cooldown on door d, oldest first (all last d's cooldown). */
  private cooldowns: OldestFirstMap<string, number>[] = [];
  /** Door steps by (protocol, port), to tell a knock from noise in O(1). */
  private stepsByPort = new Map<number, { door: Door; step: Step }[]>();
  private decoys!: DecoySet;
  private host: HostPorts = NO_HOST_PORTS;
  private local = new Set<string>();
  private readonly penalties: SourcePenalties;
  private evictions = 0;

  constructor(doors: readonly Door[], options: Options) {
    this.penalties = new SourcePenalties(penaltyLimits(options));
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
    const attempts: OldestFirstMap<string, Attempt>[] = [];
    const cooldowns: OldestFirstMap<string, number>[] = [];
    const taken = new Set<number>();
    doors.forEach((door, d) => {
      const key = doorSignature(door);
      const old = oldKeys.findIndex((k, i) => k === key && !taken.has(i));
      if (old >= 0) {
        taken.add(old);
        for (const a of this.attempts[old]!.values()) a.door = d;
        attempts.push(this.attempts[old]!);
        cooldowns.push(this.cooldowns[old]!);
      } else {
        attempts.push(new OldestFirstMap());
        cooldowns.push(new OldestFirstMap());
      }
    });
    this.doors = doors;
    this.options = options;
    this.attempts = attempts;
    this.cooldowns = cooldowns;
    const kept = attempts.flatMap((m) => [...m.values()]);
    this.count = kept.length;
    this.fresh = new OldestFirstMap();
    for (const a of kept.filter((x) => x.stage === 1).sort((x, y) => x.startedAt - y.startedAt)) this.fresh.set(a, a);
    this.stepsByPort = new Map();
    for (const door of doors) {
      for (const step of door.sequence) {
        const key = portKey(step.proto, step.port);
        const list = this.stepsByPort.get(key) ?? [];
        list.push({ door, step });
        this.stepsByPort.set(key, list);
      }
    }
    this.penalties.setLimits(penaltyLimits(options));
    this.decoys = new DecoySet(options.decoys, this.allSteps(), this.host);
  }

  /**
   * Feeds one packet. Events go to `emit`; the return value says why the
   * packet was ignored, if it was.
   */
  onPacket(p: Packet, now: number, emit: Emit): Ignored | undefined {
    const src = p.src;
    if (this.penalties.isBanned(src, now)) return 'banned';
    const decoy = this.decoys.has(p);
    const knock = decoy ? false : this.isAnyKnock(p);
    if (!knock && !decoy) return 'noise';

    let progressed = false;
    let failed = false;
    let forUs = false;
    for (let d = 0; d < this.doors.length; d++) {
      const door = this.doors[d]!;
      if (!this.isForDoor(door, p.dst)) continue;
      forUs = true;
      const table = this.attempts[d]!;
      let a = table.get(src);
      if (a !== undefined && now - a.startedAt >= door.seqTimeoutMs) {
        // The timer has not fired yet; expire it now, on time by the clock.
        this.remove(a);
        emit({ kind: 'timeout', src, door, stage: a.stage });
        a = undefined;
      }
      if (a !== undefined) {
        if (isStep(door, door.sequence[a.stage]!, p)) {
          progressed = true;
          this.advance(a, door, now, emit);
          continue;
        }
        if (door.allowDuplicates && isStep(door, door.sequence[a.stage - 1]!, p)) {
          progressed = true; // a retransmitted knock of the stage just matched
          continue;
        }
        // knockd: a knock port hit with the wrong TCP flags is ignored, not fatal. A decoy is always fatal.
        if (!decoy && !flagsMatch(door, p)) continue;
        this.remove(a);
        failed = true;
        emit({ kind: 'fail', src, door, stage: a.stage, reason: decoy ? 'decoy' : 'wrong-knock', port: p.dstPort });
      }
      // No attempt (or it just failed): this packet may begin one.
      if (knock && isStep(door, door.sequence[0]!, p) && this.mayStart(d, door, src, now)) {
        progressed = true;
        this.start(d, door, p, now, emit);
      }
    }
    if (!forUs) return 'not-for-us';
    if (decoy || (failed && !progressed)) {
      const until = this.penalties.recordFailure(src, now);
      if (until !== undefined) {
        this.dropSource(src);
        emit({ kind: 'ban', src, until });
      }
    }
    return undefined;
  }

  /** Times out every attempt whose seq_timeout has passed. */
  expire(now: number, emit: Emit): void {
    for (let d = 0; d < this.doors.length; d++) {
      const door = this.doors[d]!;
      const table = this.attempts[d]!;
      for (let a = table.oldest()?.value; a !== undefined && now - a.startedAt >= door.seqTimeoutMs; a = table.oldest()?.value) {
        this.remove(a);
        emit({ kind: 'timeout', src: a.src, door, stage: a.stage });
      }
      const cooling = this.cooldowns[d]!;
      while ((cooling.oldest()?.value ?? Infinity) <= now) cooling.shift();
    }
    this.penalties.prune(now);
  }

  /** When the next attempt times out, for the daemon's timer. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (let d = 0; d < this.doors.length; d++) {
      const first = this.attempts[d]!.oldest();
      if (first === undefined) continue;
      const at = first.value.startedAt + this.doors[d]!.seqTimeoutMs;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /** Attempts in flight, for status output. */
  inFlight(): { src: string; door: string; stage: number; startedAt: number }[] {
    const all = this.attempts.flatMap((m) => [...m.values()]).sort((a, b) => a.startedAt - b.startedAt);
    return all.map((a) => ({ src: a.src, door: this.doors[a.door]!.name, stage: a.stage, startedAt: a.startedAt }));
  }

  stats(): KeeperStats {
    return {
      attempts: this.count,
      banned: this.penalties.bannedCount,
      failing: this.penalties.failingCount,
      evictions: this.evictions + this.penalties.evictions,
    };
  }

  private advance(a: Attempt, door: Door, now: number, emit: Emit): void {
    if (a.stage === 1) this.fresh.delete(a);
    a.stage++;
    emit({ kind: 'stage', src: a.src, family: a.family, door, stage: a.stage });
    if (a.stage >= door.sequence.length) {
      this.remove(a);
      this.opened(a.door, door, a.src, a.family, now, emit);
    }
  }

  private start(d: number, door: Door, p: Packet, now: number, emit: Emit): void {
    emit({ kind: 'stage', src: p.src, family: p.family, door, stage: 1 });
    if (door.sequence.length === 1) {
      this.opened(d, door, p.src, p.family, now, emit);
      return;
    }
    if (this.count >= this.options.maxAttempts) {
      const victim = this.evictionVictim();
      this.remove(victim);
      this.evictions++;
      emit({ kind: 'evict', src: victim.src, door: this.doors[victim.door]!, stage: victim.stage });
    }
    const a: Attempt = { src: p.src, family: p.family, door: d, stage: 1, startedAt: now };
    this.attempts[d]!.set(p.src, a);
    this.fresh.set(a, a);
    this.count++;
  }

  private opened(d: number, door: Door, src: string, family: 4 | 6, now: number, emit: Emit): void {
    if (door.cooldownMs > 0) {
      const table = this.cooldowns[d]!;
      table.delete(src);
      if (table.size >= this.options.maxTrackedSources) {
        table.shift();
        this.evictions++;
      }
      table.set(src, now + door.cooldownMs);
    }
    emit({ kind: 'open', src, family, door });
  }

  private mayStart(d: number, door: Door, src: string, now: number): boolean {
    if (door.allow.length > 0 && !door.allow.some((c) => cidrContains(c, src))) return false;
    const until = this.cooldowns[d]!.get(src);
    return until === undefined || until <= now;
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

  private remove(a: Attempt): void {
    if (this.attempts[a.door]!.delete(a.src)) this.count--;
    this.fresh.delete(a);
  }

  /** The oldest stage-1 attempt, else the oldest attempt of any door (only called when the table is full). */
  private evictionVictim(): Attempt {
    const fresh = this.fresh.oldest();
    if (fresh !== undefined) return fresh.value;
    let victim: Attempt | undefined;
    for (const table of this.attempts) {
      const head = table.oldest()?.value;
      if (head !== undefined && (victim === undefined || head.startedAt < victim.startedAt)) victim = head;
    }
    return victim!;
  }

  private dropSource(src: string): void {
    for (const table of this.attempts) {
      const a = table.get(src);
      if (a !== undefined) this.remove(a);
    }
  }

  private allSteps(): Step[] {
    return this.doors.flatMap((d) => d.sequence);
  }
}

function penaltyLimits(o: Options) {
  return { failureLimit: o.failureLimit, windowMs: o.failureWindowMs, banMs: o.banMs, maxSources: o.maxTrackedSources };
}

/** Everything that decides how a door matches; equal signatures keep their attempts on reload. */
export function doorSignature(door: Door): string {
  return JSON.stringify([
    door.name,
    door.sequence.map((s) => [s.proto, s.port, s.payload ? Buffer.from(s.payload).toString('hex') : null]),
    door.seqTimeoutMs,
    door.tcpFlags,
    door.target ?? null,
    door.allow.map((c) => c.text),
    door.allowDuplicates,
    door.cooldownMs,
  ]);
}
