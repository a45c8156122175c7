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
  bans: number;
  ignored: Record<Ignored, number>;
  /** SPA datagrams (src/spa-server/): received, accepted, refused by reason. */
  spa: SpaCounters;
}

export function newCounters(): Counters {
  return {
    packets: 0, knocks: 0, opens: 0, failures: 0, decoyHits: 0, timeouts: 0, evictions: 0, bans: 0,
    ignored: { banned: 0, cooldown: 0, 'not-allowed': 0, 'not-for-us': 0, noise: 0 },
    spa: newSpaCounters(SPA_REJECT_REASONS),
  };
}
