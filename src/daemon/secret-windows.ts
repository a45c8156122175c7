// The daemon's side of sequence_secret doors (DESIGN.md "Replay-resistant
// sequences"): which per-window copies the doorkeeper holds, and the timer
// that swaps them at each window boundary. The derivation is pure
// (src/door/secret-sequence*.ts); the used windows are persisted by
// SecretSequences before a door opens.
import type { Config, Door } from '../config/model.js';
import { nextWindowChange } from '../door/secret-sequence-doors.js';
import { knockDoors } from '../spa-server/receiver.js';
import type { Clock, Timer } from '../util/clock.js';
import type { SecretSequences } from './secret-sequences.js';

export interface SecretWindowDeps {
  readonly clock: Clock;
  readonly store?: SecretSequences;
  /** Hands the keeper its new doors, in place (Doorkeeper.update). */
  readonly update: (doors: Door[]) => void;
}

export class SecretWindows {
  /** Secret doors reach the keeper only once start() has loaded their used windows. */
  private ready = false;
  /** A derived sequence was used: no later packet may use it. */
  private changed = false;
  private timer: Timer | undefined;
  private nextAt: number | undefined;
  private stopped = false;

  constructor(private readonly deps: SecretWindowDeps) {}

  /** The keeper's doors: knock doors, each sequence_secret door as its copies for the accepted, unused windows. */
  keeperDoors(config: Config): Door[] {
    const doors = knockDoors(config.doors);
    if (!this.ready || !this.deps.store) return doors.filter((d) => !d.sequenceSecret);
    return this.deps.store.expand(doors, this.deps.clock.now());
  }

  start(config: Config): void {
    if (!config.doors.some((d) => d.sequenceSecret)) return;
    if (!this.deps.store) throw new Error('sequence_secret doors need a used-sequence store (DaemonDeps.secretSequences)');
    this.ready = true;
    this.refresh(config);
  }

  /** Marks the copy's window used (written before the door opens); the keeper drops it after this packet. */
  used(copy: Door, config: Config): void {
    this.deps.store?.markUsed(copy, config.doors, this.deps.clock.now());
    this.changed = true;
  }

  /** After each packet: drops a copy that was just used. */
  afterPacket(config: Config): void {
    if (this.changed) this.refresh(config);
  }

  /** On the refresh tick. Timers run on a monotonic clock: after a wall-clock step forward, move the windows now. */
  tick(config: Config): void {
    if (this.nextAt !== undefined && this.deps.clock.now() >= this.nextAt) this.refresh(config);
  }

  /** Re-arms the boundary timer (a reload may have changed the doors). */
  arm(config: Config): void {
    this.timer?.cancel();
    this.timer = undefined;
    const at = this.ready && !this.stopped ? nextWindowChange(config.doors, this.deps.clock.now()) : undefined;
    this.nextAt = at;
    if (at !== undefined) this.timer = this.deps.clock.setTimer(at - this.deps.clock.now(), () => this.refresh(config));
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** Recomputes the per-window copies and re-arms the boundary timer. */
  private refresh(config: Config): void {
    this.changed = false;
    this.deps.update(this.keeperDoors(config)); // in place: only the slot whose window changed
    this.arm(config);
  }
}
