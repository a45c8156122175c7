// Migration from fwknop: fwknopd's access.conf (fwknop.md §2.3; fwknop 2.6.10
// server/access.c parse_access_file) converted to Portcullis config text, one
// SPA door per stanza, so `serve --fwknop-access FILE` can append the doors to
// the config and have them validated like any other door. Pure: the text in,
// included files through `io`, the sections out, or ConfigErrors listing every
// problem as `FILE:LINE: KEYWORD: what is wrong; expected …`.
//
// The file is read as fwknopd reads it: `KEYWORD value` per line (sscanf
// "%s %[^;\n\r]": a `;` ends the value), an optional `:` after the keyword,
// case-sensitive keywords, `#` and `;` comment lines, each stanza starting
// with SOURCE, stanzas in file order (the first that matches wins), `%include`
// read in place, at most 3 levels of files.
//
// What fwknopd does deliberately is kept: ANY anywhere in a SOURCE list,
// dotted masks (`/255.255.0.0`, written as a prefix), a timeout of 0 meaning
// the default, its defaults written out (a Portcullis default may differ:
// REQUIRE_SOURCE_ADDRESS is N in fwknopd, yes here), a repeated keyword
// replacing the earlier one (KEY and KEY_BASE64 being one key), lines after
// an %include still belonging to the stanza above it.
//
// What it only tolerates is refused, with the fix: lines before any SOURCE
// (ignored), a network with host bits set (masked), a stanza without
// OPEN_PORTS (any port a client asks for), Y/N values other than Y or N
// ("true" is N), a KEY or HMAC_KEY ending in blanks (part of the key, which a
// Portcullis value cannot hold), lower-case keywords (ignored),
// HMAC_DIGEST_TYPE without an HMAC key, non-key lines in an %include_keys
// file (ignored), a missing %include_keys file (the stanza silently dropped),
// ENABLE_CMD_EXEC Y without CMD_EXEC_USER (commands as root), and everything
// Portcullis does not do yet: DESTINATION, RESTRICT_PORTS, CMD_CYCLE_*,
// ACCESS_EXPIRE*, NAT, GPG, sudo for commands, CTR/ECB/CFB/OFB modes.
// Switches that do nothing when N are accepted as N.
//
// Relaxations, where fwknopd's reading is an accident: other trailing blanks
// are dropped (fwknopd keeps them, and refuses `ANY ` or a base64 key with
// them), lines of blanks and indented comments are skipped (fwknopd refuses
// the first and warns about the second), and IPv6 sources are allowed
// (fwknopd 2.6.10 takes IPv4 only).
//
// Here: reading the files in order into stanzas and collecting the errors.
// The line format is in lines.ts, the includes in includes.ts, the keywords
// and their checks in keywords.ts, stanza.ts and values.ts, the door text in
// emit.ts, and joining the doors to the config in relocate.ts.
import { ConfigError, ConfigErrors } from '../config/errors.js';
import { emitDoors, type ConvertedAccessConf } from './emit.js';
import { include, includeFolder, includeKeys, type AccessConfIO, type IncludeReader } from './includes.js';
import { KNOWN, UNSUPPORTED, type Converted } from './keywords.js';
import { noValue, splitAccessLines, type AccessLine, type At } from './lines.js';
import { Stanza, applyKeyword, applySource, applyUnsupported, checkStanzas, unknownKeyword, type Report } from './stanza.js';

export type { ConvertedAccessConf } from './emit.js';
export { MAX_INCLUDE_DEPTH, type AccessConfIO } from './includes.js';
export { CONVERTED_KEYWORDS } from './keywords.js';
export { splitAccessLines, type AccessLine, type LineOrigin } from './lines.js';
export { appendConverted, relocateErrors } from './relocate.js';

class Converter implements IncludeReader {
  readonly stanzas: Stanza[] = [];
  private readonly errors: { error: ConfigError; ord: number }[] = [];
  private ord = 0;

  constructor(readonly io: AccessConfIO) {}

  readonly report: Report = (code, at, detail) => {
    this.errors.push({ error: new ConfigError(code, { file: at.file, line: at.line, key: at.key }, detail), ord: at.ord });
  };

  /** Errors in reading order: files as they are included, lines in order; stanza checks at their SOURCE line. */
  sortedErrors(): ConfigError[] {
    return [...this.errors].sort((a, b) => a.ord - b.ord).map((e) => e.error);
  }

  at(file: string, line: AccessLine): At {
    return { file, line: line.line, key: line.keyword, ord: ++this.ord };
  }

  /** One access.conf file; `stack` is the files being read, this one last. */
  readAccessFile(text: string, stack: readonly string[]): void {
    const file = stack[stack.length - 1]!;
    // Per file, as fwknopd's curr_acc: lines after an %include still go to the stanza above it.
    let current: Stanza | undefined;
    for (const item of splitAccessLines(text)) {
      const at = this.at(file, item);
      const { keyword } = item;
      if (!KNOWN.has(keyword)) {
        unknownKeyword(at, this.report);
        continue;
      }
      if (item.raw === undefined) {
        this.report('CONFIG_SYNTAX', at, noValue(keyword));
        if (keyword === 'SOURCE') current = this.newStanza(at);
        continue;
      }
      const raw = item.raw;
      const value = raw.trimEnd();
      if (keyword === '%include') {
        include(this, value, at, stack);
      } else if (keyword === '%include_folder') {
        includeFolder(this, value, at, stack);
      } else if (keyword === 'SOURCE') {
        current = this.newStanza(at);
        applySource(current, value, at, this.report);
      } else if (!current) {
        this.report('CONFIG_NO_SECTION', at,
          'comes before any SOURCE line (fwknopd ignores it); expected it inside a stanza: each stanza starts with SOURCE');
      } else if (keyword === '%include_keys') {
        includeKeys(this, value, at, current);
      } else if (Object.hasOwn(UNSUPPORTED, keyword)) {
        applyUnsupported(current, keyword, value, at, this.report);
      } else {
        applyKeyword(current, keyword as Converted, raw, at, this.report);
      }
    }
  }

  private newStanza(at: At): Stanza {
    const s = new Stanza(this.stanzas.length + 1, at);
    this.stanzas.push(s);
    return s;
  }
}

/**
 * Converts an access.conf (its text, read from `file`) to Portcullis SPA door
 * sections. `io.readFile` reads %include and %include_keys files (and
 * `io.listFolder` %include_folder folders). Throws ConfigErrors with every
 * problem, in reading order.
 */
export function convertAccessConf(text: string, file: string, io: AccessConfIO): ConvertedAccessConf {
  const c = new Converter(io);
  c.readAccessFile(text, [file]);
  checkStanzas(c.stanzas, file, c.report);
  const errors = c.sortedErrors();
  if (errors.length > 0) throw new ConfigErrors(errors);
  return emitDoors(c.stanzas);
}
