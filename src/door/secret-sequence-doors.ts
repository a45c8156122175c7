// What the Doorkeeper sees of a `sequence_secret` door: one copy of the door
// per accepted window (w−1, w, w+1: clock skew of up to a window either way),
// each with that window's derived sequence; a used window's copy has none.
// Pure: time and the used-check are arguments; the daemon recomputes the list
// at every window boundary and after every use (src/daemon/secret-sequences.ts).
import type { Door, Step } from '../config/model.js';
import { deriveSequence, windowIndex, windowStartMs } from './secret-sequence.js';

/** Whether window `window` of door `door` (with these ports) was used already. */
export type IsUsed = (door: string, window: number, ports: readonly number[]) => boolean;

/** The windows whose sequences a door accepts at `now`. */
export function acceptedWindows(windowSeconds: number, now: number): number[] {
  const w = windowIndex(now, windowSeconds);
  return [w - 1, w, w + 1].filter((x) => x >= 0);
}

/** The door's steps for `window`. */
export function windowSteps(door: Door, window: number): Step[] {
  const spec = door.sequenceSecret!;
  return deriveSequence(spec, door.name, window).map((port) => ({ proto: spec.proto, port }));
}

/** Slots per sequence_secret door: window w is in slot w mod 3, so a window keeps its slot while it is accepted. */
export const SLOTS = 3;

/**
 * `doors` with every sequence_secret door replaced by three slot copies: the
 * accepted window w of slot w mod 3 with its derived sequence, or an empty
 * sequence when that window is used (the keeper skips those). A fixed shape,
 * so the keeper swaps only the slot that changed (Doorkeeper.update).
 */
export function expandSecretDoors(doors: readonly Door[], now: number, isUsed: IsUsed): Door[] {
  return doors.flatMap((door) => {
    const spec = door.sequenceSecret;
    if (!spec) return [door];
    const slots: Door[] = Array.from({ length: SLOTS }, () => ({ ...door, sequence: [] }));
    for (const w of acceptedWindows(spec.windowSeconds, now)) {
      const sequence = windowSteps(door, w);
      if (!isUsed(door.name, w, sequence.map((s) => s.port))) slots[w % SLOTS] = { ...door, sequence, secretWindow: w };
    }
    return slots;
  });
}

/** When the accepted windows of some door next change (the earliest next window start), or undefined without such doors. */
export function nextWindowChange(doors: readonly Door[], now: number): number | undefined {
  let next: number | undefined;
  for (const door of doors) {
    const spec = door.sequenceSecret;
    if (!spec) continue;
    const at = windowStartMs(windowIndex(now, spec.windowSeconds) + 1, spec.windowSeconds);
    if (next === undefined || at < next) next = at;
  }
  return next;
}
