// One_Time_Sequences files (knockd(1)): one sequence per line; lines that are
// empty or start with `#` after trimming are skipped, and so are lines that do
// not parse. The door's sequence is the first remaining line; once it is used,
// the line is commented out.
import type { Step } from './model.js';
import { parseSequence, stripTrailingComment } from './sequence.js';

export interface OneTimeSequence {
  /** 0-based index of the line in the file text (split on \n). */
  readonly lineIndex: number;
  readonly sequence: Step[];
}

/** The first unused sequence, or undefined when none is left. */
export function parseOneTimeSequences(text: string): OneTimeSequence | undefined {
  return listOneTimeSequences(text)[0];
}

/** Every unused sequence in file order. */
export function listOneTimeSequences(text: string): OneTimeSequence[] {
  const out: OneTimeSequence[] = [];
  text.split('\n').forEach((raw, lineIndex) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      out.push({ lineIndex, sequence: parseSequence(stripTrailingComment(line)) });
    } catch {
      // knockd skips a line it cannot parse and takes the next one.
    }
  });
  return out;
}

/**
 * The file text with line `lineIndex` commented out by PREPENDING `#`; every
 * other byte is kept. knockd instead overwrote the first byte in place, so
 * `7001,8001` became `#001,8001` and the record of the used sequence was lost
 * unless the line began with the space its man page asks for. The caller
 * writes the result atomically.
 */
export function markOneTimeSequenceUsed(text: string, lineIndex: number): string {
  const lines = text.split('\n');
  if (!Number.isInteger(lineIndex) || lineIndex < 0 || lineIndex >= lines.length) {
    throw new RangeError(`line index ${lineIndex} is outside the file (${lines.length} lines)`);
  }
  lines[lineIndex] = `#${lines[lineIndex]}`;
  return lines.join('\n');
}
