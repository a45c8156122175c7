// What `status` and the periodic summary report. Plain numbers, bumped on the packet path.
import type { Ignored } from '../door/events.js';

export interface Counters {
  packets: number;
  knocks: number;
  opens: number;
  failures: number;
  decoyHits: number;
  timeouts: number;
  evictions: number;
  bans: number;
  ignored: Record<Ignored, number>;
}

export function newCounters(): Counters {
  return {
    packets: 0, knocks: 0, opens: 0, failures: 0, decoyHits: 0, timeouts: 0, evictions: 0, bans: 0,
    ignored: { banned: 0, cooldown: 0, 'not-allowed': 0, 'not-for-us': 0, noise: 0 },
  };
}
