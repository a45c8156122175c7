// What the daemon counts and logs for each doorkeeper event. Lines an outsider
// can cause at packet rate (stages, timeouts, bans) go through the log gate;
// what was held back shows in the daemon's periodic summary.
import type { DoorEvent } from '../door/events.js';
import type { Logger } from '../log/logger.js';
import type { Counters } from './counters.js';
import type { LogGate } from './log-gate.js';

export class EventLog {
  constructor(private readonly counters: Counters, private readonly log: Logger, private readonly gate: LogGate) {}

  /** Counts `e` and writes its line; acting on it (opening a door) is the daemon's. */
  record(e: DoorEvent, now: number): void {
    const log = this.log;
    switch (e.kind) {
      case 'stage':
        this.counters.knocks++;
        if (this.gate.allow(now)) log.info(`${e.src}: ${e.door.name}: Stage ${e.stage}`, { event: 'stage', src: e.src, door: e.door.name, stage: e.stage });
        break;
      case 'open':
        this.counters.opens++;
        log.info(`${e.src}: ${e.door.name}: OPEN SESAME`, { event: 'open', src: e.src, door: e.door.name });
        break;
      case 'timeout':
        this.counters.timeouts++;
        if (this.gate.allow(now)) log.info(`${e.src}: ${e.door.name}: sequence timeout (stage ${e.stage})`, { event: 'timeout', src: e.src, door: e.door.name, stage: e.stage });
        break;
      case 'fail':
        this.counters.failures++;
        if (e.reason === 'decoy') this.counters.decoyHits++;
        log.debug(`${e.src}: ${e.door.name}: attempt failed at stage ${e.stage} (${e.reason === 'decoy' ? 'decoy' : e.reason === 'too-soon' ? 'too soon after the previous knock' : 'wrong knock'} on port ${e.port})`);
        break;
      case 'ban':
        this.counters.bans++;
        if (this.gate.allow(now)) {
          const secs = Math.round((e.until - now) / 1000);
          log.info(`${e.src}: too many failed knocks, ignoring this source for ${secs} s`, { event: 'ban', src: e.src, seconds: secs });
        }
        break;
      case 'evict':
        this.counters.evictions++;
        break;
    }
  }
}
