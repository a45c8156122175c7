// The used windows of sequence_secret doors: each derived sequence opens its
// door once, for whoever completes it first. The record is written (atomic,
// fsynced) BEFORE the door opens, so a crash right after an open cannot make
// the sequence good again; writes are bounded by the doors (at most three
// windows per door can be used in any window), not by the traffic.
//
//   StateDir/secret-sequences.json
//   {"version":1,"seen":1700000000000,"used":[{"door":"ssh","window":56666666,"proto":"tcp","ports":[28496,17491,8687]}]}
//
// The ports are stored with the window: after a config change (a new secret,
// length or range) the door's new sequences are not the recorded ones, and
// are not refused. A file that cannot be read or parsed means used sequences
// are unknown: every window accepted at start is then treated as used (a
// legitimate client waits at most two windows), never as fresh.
//
// Windows never move back: a wall clock stepped back (also across a restart:
// the latest time seen is in the file, `seen`) keeps the later windows until
// real time catches up, so pruned records can never be needed again.
import type { Door } from '../config/model.js';
import type { Logger } from '../log/logger.js';
import type { FileStore } from '../state/atomic-file.js';
import { acceptedWindows, expandSecretDoors, windowSteps } from '../door/secret-sequence-doors.js';
import { windowIndex } from '../door/secret-sequence.js';
import { join } from 'node:path';

export interface UsedSequence {
  readonly door: string;
  readonly window: number;
  readonly proto: 'tcp' | 'udp';
  readonly ports: readonly number[];
}

/** The state file inside a state directory. */
export function secretSequencesPath(stateDir: string): string {
  return join(stateDir, 'secret-sequences.json');
}

/** Records kept per door: the three accepted windows, and room for a clock that stepped back. */
const MAX_PER_DOOR = 8;

export class SecretSequences {
  private used: UsedSequence[] = [];
  private loaded = false;
  /** The latest time seen (ms): the windows follow it, never an earlier clock. */
  private latest = 0;

  constructor(private readonly deps: { readonly store: FileStore; readonly path: string; readonly log: Logger }) {}

  /** `doors` with each sequence_secret door replaced by its copies for the accepted, unused windows. */
  expand(doors: readonly Door[], clockNow: number): Door[] {
    if (!this.loaded) this.load(doors, clockNow);
    const now = this.monotonic(clockNow);
    return expandSecretDoors(doors, now, (door, window, ports) => this.isUsed(door, window, ports));
  }

  /**
   * `copy` (a per-window copy from expand) just opened: its sequence is used
   * up. Persisted before returning; false if the file could not be written
   * (the sequence stays refused while this process runs).
   */
  markUsed(copy: Door, doors: readonly Door[], clockNow: number): boolean {
    const now = this.monotonic(clockNow);
    const spec = copy.sequenceSecret;
    if (!spec || copy.secretWindow === undefined) return true;
    const ports = copy.sequence.map((s) => s.port);
    if (!this.isUsed(copy.name, copy.secretWindow, ports)) {
      this.used.push({ door: copy.name, window: copy.secretWindow, proto: spec.proto, ports });
    }
    return this.save(doors, now);
  }

  /** The records, for status and tests. */
  list(): readonly UsedSequence[] {
    return this.used;
  }

  private monotonic(now: number): number {
    this.latest = Math.max(this.latest, now);
    return this.latest;
  }

  private isUsed(door: string, window: number, ports: readonly number[]): boolean {
    return this.used.some((u) => u.door === door && u.window === window && samePorts(u.ports, ports));
  }

  private load(doors: readonly Door[], now: number): void {
    this.loaded = true;
    let text: string | undefined;
    try {
      text = this.deps.store.read(this.deps.path);
    } catch (err) {
      this.unknown(doors, now, `cannot read ${this.deps.path}: ${(err as Error).message}`);
      return;
    }
    if (text === undefined) return;
    const parsed = parseState(text);
    if (parsed === undefined) {
      this.unknown(doors, now, `${this.deps.path} is not a valid state file`);
      return;
    }
    this.used = parsed.used;
    this.latest = parsed.seen;
    if (parsed.seen > now) this.deps.log.warn(`the clock is ${Math.round((parsed.seen - now) / 1000)} s behind the latest time recorded in ${this.deps.path}; sequence_secret doors keep the later windows until it catches up (if that time was wrong, stop the daemon and delete the file)`);
  }

  /** Fail closed: the windows accepted now count as used, so none can be replayed after a lost record. */
  private unknown(doors: readonly Door[], clockNow: number, why: string): void {
    const now = this.monotonic(clockNow);
    this.deps.log.warn(`${why}; which derived sequences were used is unknown, so the sequences of the current windows are refused`);
    for (const door of doors) {
      const spec = door.sequenceSecret;
      if (!spec) continue;
      for (const w of acceptedWindows(spec.windowSeconds, now)) {
        this.used.push({ door: door.name, window: w, proto: spec.proto, ports: windowSteps(door, w).map((s) => s.port) });
      }
    }
    this.save(doors, now);
  }

  /** Drops what can no longer matter (doors gone, windows before the accepted ones), bounds each door, writes the file. */
  private save(doors: readonly Door[], now: number): boolean {
    const oldest = new Map<string, number>();
    for (const d of doors) if (d.sequenceSecret) oldest.set(d.name, windowIndex(now, d.sequenceSecret.windowSeconds) - 1);
    const kept: UsedSequence[] = [];
    for (const name of oldest.keys()) {
      const mine = this.used.filter((u) => u.door === name && u.window >= oldest.get(name)!).sort((a, b) => b.window - a.window);
      kept.push(...mine.slice(0, MAX_PER_DOOR));
    }
    this.used = kept;
    try {
      this.deps.store.writeAtomic(this.deps.path, `${JSON.stringify({ version: 1, seen: this.latest, used: kept })}\n`);
      return true;
    } catch (err) {
      this.deps.log.error(`cannot write ${this.deps.path}: ${(err as Error).message}; used derived sequences are remembered only until this daemon stops`);
      return false;
    }
  }
}

function samePorts(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

function parseState(text: string): { used: UsedSequence[]; seen: number } | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || (data as { version?: unknown }).version !== 1) return undefined;
  const used = (data as { used?: unknown }).used;
  const seen = (data as { seen?: unknown }).seen ?? 0;
  if (!Array.isArray(used) || !Number.isSafeInteger(seen)) return undefined;
  const out: UsedSequence[] = [];
  for (const u of used as unknown[]) {
    if (typeof u !== 'object' || u === null) return undefined;
    const { door, window, proto, ports } = u as Record<string, unknown>;
    if (typeof door !== 'string' || !Number.isSafeInteger(window) || (proto !== 'tcp' && proto !== 'udp')
      || !Array.isArray(ports) || !ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)) return undefined;
    out.push({ door, window: window as number, proto, ports: ports as number[] });
  }
  return { used: out, seen: seen as number };
}
