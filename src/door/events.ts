// What the doorkeeper reports. The daemon turns these into log lines and actions.
import type { Door } from '../config/model.js';

/** `too-soon`: the next step, but sooner than the door's knock_min_gap after the previous knock. */
export type FailReason = 'wrong-knock' | 'decoy' | 'too-soon';

export type DoorEvent =
  /** The source matched step `stage` (1-based) of the door. */
  | { readonly kind: 'stage'; readonly src: string; readonly family: 4 | 6; readonly door: Door; readonly stage: number }
  /** The source completed the sequence. */
  | { readonly kind: 'open'; readonly src: string; readonly family: 4 | 6; readonly door: Door }
  /** The attempt ran out of time after matching `stage` steps. */
  | { readonly kind: 'timeout'; readonly src: string; readonly door: Door; readonly stage: number }
  /** The attempt was killed by a knock that was not the next step, or by a decoy. */
  | { readonly kind: 'fail'; readonly src: string; readonly door: Door; readonly stage: number; readonly reason: FailReason; readonly port: number }
  /** The source failed too often and is ignored until `until`. */
  | { readonly kind: 'ban'; readonly src: string; readonly until: number }
  /** The attempt table was full; the oldest attempt was dropped to make room. */
  | { readonly kind: 'evict'; readonly src: string; readonly door: Door; readonly stage: number };

/** Why a packet had no effect, for counters. */
export type Ignored = 'banned' | 'cooldown' | 'not-allowed' | 'not-for-us' | 'noise';
