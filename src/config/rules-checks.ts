// Checks of the knock timing keys (knock_min_gap, knock_max_gap) against the
// rest of their door, run once the whole file is read: a door whose timing
// no knocker could ever meet is refused here, for the daemon and for
// `portcullis rules` alike (both give a door the same meaning).
import type { DoorDraft } from './door.js';
import type { Origin, Problems } from './problems.js';

export function checkRulesKeys(doors: readonly DoorDraft[], problems: Problems): void {
  for (const door of doors) {
    const lengths = sequenceLengths(door);
    if (lengths.length === 0) continue; // its sequence did not parse: already reported
    const min = door.knockMinGapMs;
    const max = door.knockMaxGapMs;
    for (const at of [door.knockMinGapAt, door.knockMaxGapAt]) {
      if (at && Math.min(...lengths) < 2) {
        problems.atKey('CONFIG_CONFLICT', at, `[${door.name}] has a single knock, so there is no gap between knocks; expected ${at.key} only on a door with two or more steps`);
      }
    }
    const minAt = door.knockMinGapAt;
    if (!minAt || min === 0) continue;
    if (max > 0 && min >= max) {
      problems.atKey('CONFIG_CONFLICT', minAt, `${seconds(min)} is not below knock_max_gap (${seconds(max)}), so no knock could be in time; expected a minimum gap shorter than the maximum`);
    }
    const longest = Math.max(...lengths);
    if (longest >= 2 && (longest - 1) * min >= door.seqTimeoutMs) {
      impossible(problems, minAt, longest, min, door.seqTimeoutMs);
    }
  }
}

// Seq_Timeout runs from the first knock, and a knock at exactly seq_timeout is late.
function impossible(problems: Problems, at: Origin, steps: number, min: number, seqTimeout: number): void {
  problems.atKey('CONFIG_CONFLICT', at,
    `${steps} knocks at least ${seconds(min)} apart take ${seconds((steps - 1) * min)} or more, but seq_timeout (${seconds(seqTimeout)}) ends the attempt first; expected a seq_timeout above ${(steps - 1) * min / 1000} or a shorter gap`);
}

function sequenceLengths(door: DoorDraft): number[] {
  if (door.oneTime) return door.oneTime.all.map((s) => s.sequence.length);
  if (door.secret.at) return [door.secret.length];
  return door.sequence ? [door.sequence.steps.length] : [];
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
