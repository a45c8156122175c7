// What `status` and the periodic summary report. Plain numbers, bumped on the packet path.
import type { Ignored } from '../door/events.js';
import { SPA_REJECT_REASONS } from '../spa-server/gate.js';
import { newSpaCounters, type SpaCounters } from '../spa-server/receiver.js';

export interface Counters {
  packets: number;
  knocks: number;
  opens: number;
  failures: number;
  decoyHits: number;
  timeouts: number;
  evictions: number;
  /** Bans made (src/bans/: knock and SPA failures alike). Live ones: the status report's `bans.active`. */
  bans: number;
  /** Bans lifted by `portcullis unban`. */
  bansLifted: number;
  ignored: Record<Ignored, number>;
  /** SPA datagrams (src/spa-server/): received, accepted, refused by reason. */
  spa: SpaCounters;
  /** Per door (names from the config, so bounded): what its knocks came to, SPA accepts (metrics). */
  byDoor: Map<string, DoorCounts>;
}

/**
 * `step`: a knock matched the door's next step; `open`: the sequence completed;
 * `timeout`, `wrong-knock`, `decoy`, `too-soon`, `evicted`: how an attempt
 * ended otherwise; `spa-accept`: an SPA packet for the door was accepted.
 */
export const DOOR_OUTCOMES = ['step', 'open', 'timeout', 'wrong-knock', 'decoy', 'too-soon', 'evicted', 'spa-accept'] as const;
export type DoorOutcome = (typeof DOOR_OUTCOMES)[number];
export type DoorCounts = Record<DoorOutcome, number>;

/** The door's counts, made on first use (one Map lookup per event). */
export function doorCounts(c: Counters, door: string): DoorCounts {
  let d = c.byDoor.get(door);
  if (!d) {
    d = Object.fromEntries(DOOR_OUTCOMES.map((o) => [o, 0])) as DoorCounts;
    c.byDoor.set(door, d);
  }
  return d;
}

export function newCounters(): Counters {
  return {
    packets: 0, knocks: 0, opens: 0, failures: 0, decoyHits: 0, timeouts: 0, evictions: 0, bans: 0, bansLifted: 0,
    ignored: { banned: 0, cooldown: 0, 'not-allowed': 0, 'not-for-us': 0, noise: 0 },
    spa: newSpaCounters(SPA_REJECT_REASONS),
    byDoor: new Map(),
  };
}
