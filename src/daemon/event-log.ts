// What the daemon counts and logs for each doorkeeper event. Lines an outsider
// can cause at packet rate (stages, timeouts, bans) go through the log gate;
// what was held back shows in the daemon's periodic summary.
import type { DoorEvent } from '../door/events.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import { doorCounts, type Counters } from './counters.js';
import type { LogGate } from './log-gate.js';

export class EventLog {
  constructor(private readonly counters: Counters, private readonly log: Logger, private readonly gate: LogGate) {}

  /** Counts `e` and writes its line; acting on it (opening a door) is the daemon's. */
  record(e: DoorEvent, now: number): void {
    const log = this.log;
    switch (e.kind) {
      case 'stage':
        this.counters.knocks++;
        doorCounts(this.counters, e.door.name).step++;
        if (this.gate.allow(now)) log.info(`${e.src}: ${e.door.name}: Stage ${e.stage}`, ev('knock.stage', { src: e.src, door: e.door.name, stage: e.stage }));
        break;
      case 'open':
        this.counters.opens++;
        doorCounts(this.counters, e.door.name).open++;
        log.info(`${e.src}: ${e.door.name}: OPEN SESAME`, ev('knock.open', { src: e.src, door: e.door.name }));
        break;
      case 'timeout':
        this.counters.timeouts++;
        doorCounts(this.counters, e.door.name).timeout++;
        if (this.gate.allow(now)) log.info(`${e.src}: ${e.door.name}: sequence timeout (stage ${e.stage})`, ev('knock.timeout', { src: e.src, door: e.door.name, stage: e.stage }));
        break;
      case 'fail':
        this.counters.failures++;
        if (e.reason === 'decoy') this.counters.decoyHits++;
        doorCounts(this.counters, e.door.name)[e.reason]++;
        log.debug(`${e.src}: ${e.door.name}: attempt failed at stage ${e.stage} (${e.reason === 'decoy' ? 'decoy' : e.reason === 'too-soon' ? 'too soon after the previous knock' : 'wrong knock'} on port ${e.port})`,
          ev('knock.fail', { src: e.src, door: e.door.name, stage: e.stage, reason: e.reason, port: e.port }));
        break;
      case 'ban':
        // Counted and logged by the ban authority's listener (src/bans/ban-log.ts), for knock and SPA bans alike.
        break;
      case 'evict':
        this.counters.evictions++;
        doorCounts(this.counters, e.door.name).evicted++;
        break;
    }
  }
}
