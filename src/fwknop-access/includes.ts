// fwknopd's %include, %include_folder and %include_keys: other files read in
// place, relative paths from the including file's folder, at most
// MAX_INCLUDE_DEPTH levels of files and no file inside itself.
import { dirname, isAbsolute, join } from 'node:path';
import { GPG, type Converted } from './keywords.js';
import { noValue, splitAccessLines, type AccessLine, type At } from './lines.js';
import { applyKeyword, type Report, type Stanza } from './stanza.js';

/** What the converter may read besides the access.conf text. */
export interface AccessConfIO {
  /** A file's text, or undefined when it cannot be read. Relative paths are already joined to the including file's folder. */
  readFile(path: string): string | undefined;
  /** The names (not paths) in a folder, for `%include_folder`; undefined when it cannot be read. Without it, `%include_folder` is an error. */
  listFolder?(path: string): readonly string[] | undefined;
}

/** fwknopd's limit: access.conf and two levels of %include below it. */
export const MAX_INCLUDE_DEPTH = 3;

/** What fwknopd reads from an %include_keys file; it ignores every other line there. */
const KEY_FILE_KEYWORDS = new Set(['KEY', 'KEY_BASE64', 'HMAC_KEY', 'HMAC_KEY_BASE64']);

/** The reader an include goes back to. */
export interface IncludeReader {
  readonly io: AccessConfIO;
  readonly report: Report;
  /** The place of a line of `file`, next in reading order. */
  at(file: string, line: AccessLine): At;
  /** One access.conf file; `stack` is the files being read, this one last. */
  readAccessFile(text: string, stack: readonly string[]): void;
}

/** The path an include names: absolute as written, relative to the including file's folder. */
function resolve(from: string, path: string): string {
  return isAbsolute(path) ? path : join(dirname(from), path);
}

/** Whether another file may be read from the current one, else the error is reported. */
function mayDescend(r: IncludeReader, path: string, at: At, stack: readonly string[]): boolean {
  if (stack.includes(path)) {
    r.report('CONFIG_BAD_VALUE', at, `"${path}" is already being read, so it would include itself; expected no include loop`);
    return false;
  }
  if (stack.length >= MAX_INCLUDE_DEPTH) {
    r.report('CONFIG_BAD_VALUE', at,
      `"${path}" would be a ${MAX_INCLUDE_DEPTH + 1}th level of files, and fwknopd refuses to go deeper than ${MAX_INCLUDE_DEPTH}; expected it included from a file nearer the top`);
    return false;
  }
  return true;
}

export function include(r: IncludeReader, value: string, at: At, stack: readonly string[]): void {
  const path = resolve(at.file, value);
  if (!mayDescend(r, path, at, stack)) return;
  const text = r.io.readFile(path);
  if (text === undefined) {
    r.report('CONFIG_MISSING_FILE', at, `cannot read "${path}"; expected an existing access.conf file (fwknopd refuses a missing one too)`);
    return;
  }
  r.readAccessFile(text, [...stack, path]);
}

/** fwknopd reads every name whose last extension starts with `.conf`, in directory order; here in name order. */
export function includeFolder(r: IncludeReader, value: string, at: At, stack: readonly string[]): void {
  const folder = resolve(at.file, value).replace(/(.)\/+$/, '$1');
  if (!r.io.listFolder) {
    r.report('CONFIG_BAD_VALUE', at, `folders cannot be read here; expected an %include line for each file in "${folder}"`);
    return;
  }
  const names = r.io.listFolder(folder);
  if (names === undefined) {
    r.report('CONFIG_MISSING_FILE', at, `cannot read the folder "${folder}"; expected an existing folder of .conf files`);
    return;
  }
  const confs = names.filter((n) => {
    const dot = n.lastIndexOf('.');
    return dot >= 0 && n.slice(dot).startsWith('.conf');
  }).sort();
  for (const name of confs) {
    const path = join(folder, name);
    if (!mayDescend(r, path, at, stack)) return;
    const text = r.io.readFile(path);
    if (text === undefined) {
      r.report('CONFIG_MISSING_FILE', at, `cannot read "${path}"; expected a readable file in "${folder}"`);
      continue;
    }
    r.readAccessFile(text, [...stack, path]);
  }
}

/** fwknopd reads only key lines from the file into the current stanza, and ignores the rest. */
export function includeKeys(r: IncludeReader, value: string, at: At, stanza: Stanza): void {
  const path = resolve(at.file, value);
  const text = r.io.readFile(path);
  if (text === undefined) {
    r.report('CONFIG_MISSING_FILE', at,
      `cannot read "${path}"; expected an existing file with this stanza's keys (fwknopd would drop the stanza without a word)`);
    stanza.keyTried = true;
    return;
  }
  for (const item of splitAccessLines(text)) {
    const keyAt = r.at(path, item);
    if (item.keyword.startsWith('GPG_')) {
      stanza.gpg = true;
      r.report('CONFIG_UNKNOWN_KEY', keyAt, GPG);
    } else if (!KEY_FILE_KEYWORDS.has(item.keyword)) {
      r.report('CONFIG_UNKNOWN_KEY', keyAt,
        `fwknopd ignores this in an %include_keys file, which holds only KEY, KEY_BASE64, HMAC_KEY, HMAC_KEY_BASE64 (and GPG_*) lines; expected it in the stanza itself, above the %include_keys line (${at.file}:${at.line})`);
    } else if (item.raw === undefined) {
      r.report('CONFIG_SYNTAX', keyAt, noValue(item.keyword));
    } else {
      applyKeyword(stanza, item.keyword as Converted, item.raw, keyAt, r.report);
    }
  }
}
