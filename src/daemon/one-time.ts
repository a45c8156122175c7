// One_Time_Sequences: after a door opens, its sequence is used up. The used line
// is commented out by an atomic rewrite of the file (knockd overwrote one byte in
// place and then crashed with a double free on the last sequence).
import type { Door, Step } from '../config/model.js';
import { markOneTimeSequenceUsed, parseOneTimeSequences } from '../config/one-time.js';
import type { Logger } from '../log/logger.js';
import type { FileStore } from '../state/atomic-file.js';
import type { AdvanceOneTime } from './daemon.js';

export function oneTimeAdvancer(files: FileStore, log: Logger): AdvanceOneTime {
  return (door: Door): Door | undefined => {
    const path = door.oneTimeSequences!;
    let text: string | undefined;
    try {
      text = files.read(path);
    } catch (err) {
      log.error(`${door.name}: cannot read one time sequences file ${path}: ${(err as Error).message} --> disabling the door`);
      return undefined;
    }
    if (text === undefined) {
      log.error(`${door.name}: one time sequences file ${path} is gone --> disabling the door`);
      return undefined;
    }
    const current = parseOneTimeSequences(text);
    if (current !== undefined && sameSteps(current.sequence, door.sequence)) {
      text = markOneTimeSequenceUsed(text, current.lineIndex);
      try {
        files.writeAtomic(path, text);
      } catch (err) {
        log.error(`error while disabling used one time sequence for door ${door.name} (${(err as Error).message}) --> disabling the door`);
        return undefined;
      }
    } else {
      log.warn(`${door.name}: ${path} changed since the door's sequence was read; not marking any line, taking its first unused sequence`);
    }
    const next = parseOneTimeSequences(text);
    return next === undefined ? undefined : { ...door, sequence: next.sequence };
  };
}

function sameSteps(a: readonly Step[], b: readonly Step[]): boolean {
  return a.length === b.length && a.every((s, i) => {
    const t = b[i]!;
    return s.proto === t.proto && s.port === t.port
      && Buffer.from(s.payload ?? []).equals(Buffer.from(t.payload ?? []));
  });
}
