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
// and everything Portcullis does not do yet: DESTINATION, RESTRICT_PORTS,
// CMD_CYCLE_*, ACCESS_EXPIRE*, NAT, GPG, command messages, CTR/ECB/CFB/OFB
// modes. Switches that do nothing when N are accepted as N.
//
// Relaxations, where fwknopd's reading is an accident: other trailing blanks
// are dropped (fwknopd keeps them, and refuses `ANY ` or a base64 key with
// them), lines of blanks and indented comments are skipped (fwknopd refuses
// the first and warns about the second), and IPv6 sources are allowed
// (fwknopd 2.6.10 takes IPv4 only).
import { dirname, isAbsolute, join } from 'node:path';
import { ConfigError, ConfigErrors, InvalidValueError, type ConfigErrorCode } from '../config/errors.js';
import { formatAddress, parseAddress } from '../config/address.js';
import { parseCidr } from '../config/cidr.js';
import { parseOpenPort } from '../config/firewall-values.js';
import { parseSeconds } from '../config/values.js';

/** What the converter may read besides the access.conf text. */
export interface AccessConfIO {
  /** A file's text, or undefined when it cannot be read. Relative paths are already joined to the including file's folder. */
  readFile(path: string): string | undefined;
  /** The names (not paths) in a folder, for `%include_folder`; undefined when it cannot be read. Without it, `%include_folder` is an error. */
  listFolder?(path: string): readonly string[] | undefined;
}

/** Where a line of the converted text came from: the access.conf line and its keyword. */
export interface LineOrigin {
  readonly file: string;
  readonly line: number;
  readonly key: string;
}

export interface ConvertedAccessConf {
  /** Portcullis config text: one `[fwknop-N]` SPA door per stanza, each after a `# from FILE:LINE` comment; ends with a newline. */
  readonly sections: string;
  /** How many doors (stanzas). */
  readonly doors: number;
  /** For line i + 1 of `sections`, the access.conf line it came from; undefined for comments and blank lines. */
  readonly lineOrigins: readonly (LineOrigin | undefined)[];
}

/** The `serve` help lines for the option, in the style of its USAGE. */
export const FWKNOP_ACCESS_HELP = `      --fwknop-access FILE
                         also serve the stanzas of an fwknopd access.conf (e.g. /etc/fwknop/access.conf)
                         as SPA doors [fwknop-1], [fwknop-2], …, in file order; options Portcullis does
                         not support yet are errors naming the line and what to do instead`;

/** fwknopd's limit: access.conf and two levels of %include below it. */
export const MAX_INCLUDE_DEPTH = 3;

/** The access.conf keywords converted, with the Portcullis door key each becomes. */
export const CONVERTED_KEYWORDS = {
  SOURCE: 'source',
  KEY: 'key',
  KEY_BASE64: 'key_base64',
  HMAC_KEY: 'hmac_key',
  HMAC_KEY_BASE64: 'hmac_key_base64',
  HMAC_DIGEST_TYPE: 'hmac_digest_type',
  ENCRYPTION_MODE: 'encryption_mode',
  OPEN_PORTS: 'open_ports',
  FW_ACCESS_TIMEOUT: 'fw_access_timeout',
  MAX_FW_TIMEOUT: 'max_fw_timeout',
  REQUIRE_SOURCE_ADDRESS: 'require_source_address',
  REQUIRE_SOURCE: 'require_source_address',
  REQUIRE_USERNAME: 'require_username',
  // N only (the default): Portcullis never runs command messages.
  ENABLE_CMD_EXEC: 'enable_cmd_exec',
} as const;
type Converted = keyof typeof CONVERTED_KEYWORDS;

const DIRECTIVES = ['%include', '%include_folder', '%include_keys'] as const;

const NOT_YET = 'not supported by Portcullis yet';
const GPG = `GPG-encrypted SPA is ${NOT_YET}; expected Rijndael keys instead: KEY_BASE64 and HMAC_KEY_BASE64 from fwknop --key-gen (clients: --key-base64-rijndael, --key-base64-hmac, --use-hmac)`;
const NAT = (k: string) => `NAT for SPA doors is ${NOT_YET}; expected no ${k} line (for gateway access to an inside host, a knock door with forward = tcp/PORT -> HOST:PORT)`;
const CMD_CYCLE = (k: string) => `command cycles are not supported in converted stanzas yet; expected no ${k} line: let Portcullis open OPEN_PORTS through its firewall backend, or write this stanza as an SPA door in the Portcullis config with Start_Command/Stop_Command (%IP% for $IP)`;
const CMD_USER = (k: string) => `Portcullis never runs SPA command messages, so there is no user to run them as; expected no ${k} line`;

/** Keywords fwknopd knows and Portcullis does not do yet, each with what to do instead. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  DESTINATION: `${NOT_YET}; expected no DESTINATION line (an SPA door takes packets sent to any address of the host; capture on fewer interfaces with -i to narrow it)`,
  RESTRICT_PORTS: `${NOT_YET}; expected the ports clients may open listed in OPEN_PORTS instead (Portcullis refuses every port not listed there)`,
  CMD_CYCLE_OPEN: CMD_CYCLE('CMD_CYCLE_OPEN'),
  CMD_CYCLE_CLOSE: CMD_CYCLE('CMD_CYCLE_CLOSE'),
  CMD_CYCLE_TIMER: CMD_CYCLE('CMD_CYCLE_TIMER'),
  ACCESS_EXPIRE: `${NOT_YET}; expected no ACCESS_EXPIRE line: remove the stanza when its access should end`,
  ACCESS_EXPIRE_EPOCH: `${NOT_YET}; expected no ACCESS_EXPIRE_EPOCH line: remove the stanza when its access should end`,
  FORCE_NAT: NAT('FORCE_NAT'),
  FORCE_SNAT: NAT('FORCE_SNAT'),
  FORCE_MASQUERADE: NAT('FORCE_MASQUERADE'),
  DISABLE_DNAT: NAT('DISABLE_DNAT'),
  FORWARD_ALL: NAT('FORWARD_ALL'),
  CMD_EXEC_USER: CMD_USER('CMD_EXEC_USER'),
  CMD_EXEC_GROUP: CMD_USER('CMD_EXEC_GROUP'),
  ENABLE_CMD_SUDO_EXEC: CMD_USER('ENABLE_CMD_SUDO_EXEC'),
  CMD_SUDO_EXEC_USER: CMD_USER('CMD_SUDO_EXEC_USER'),
  CMD_SUDO_EXEC_GROUP: CMD_USER('CMD_SUDO_EXEC_GROUP'),
  GPG_HOME_DIR: GPG,
  GPG_EXE: GPG,
  GPG_DECRYPT_ID: GPG,
  GPG_DECRYPT_PW: GPG,
  GPG_ALLOW_NO_PW: GPG,
  GPG_REQUIRE_SIG: GPG,
  GPG_DISABLE_SIG: GPG,
  GPG_IGNORE_SIG_VERIFY_ERROR: GPG,
  GPG_REMOTE_ID: GPG,
  GPG_FINGERPRINT_ID: GPG,
};

/** Y/N switches that do nothing when N: an N line is accepted and has nothing to convert. */
const HARMLESS_WHEN_N = new Set([
  'FORCE_MASQUERADE', 'DISABLE_DNAT', 'FORWARD_ALL', 'ENABLE_CMD_SUDO_EXEC',
  'GPG_ALLOW_NO_PW', 'GPG_REQUIRE_SIG', 'GPG_DISABLE_SIG', 'GPG_IGNORE_SIG_VERIFY_ERROR',
]);

/** What fwknopd reads from an %include_keys file; it ignores every other line there. */
const KEY_FILE_KEYWORDS = new Set(['KEY', 'KEY_BASE64', 'HMAC_KEY', 'HMAC_KEY_BASE64']);

const SUPPORTED_LIST = [...Object.keys(CONVERTED_KEYWORDS), ...DIRECTIVES].join(', ');
const KNOWN: ReadonlySet<string> = new Set([...Object.keys(CONVERTED_KEYWORDS), ...Object.keys(UNSUPPORTED), ...DIRECTIVES]);

const HMAC_DIGESTS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sha3_256', 'sha3_512'];
const PLACEHOLDER = '__changeme__';
const MAX_KEY_BYTES = 32;
const MAX_HMAC_KEY_BYTES = 128;
const DEFAULT_ACCESS_TIMEOUT_S = 30;
const DEFAULT_MAX_TIMEOUT_S = 300;

/** A line's place: file, line, keyword as written, and its position in reading order (for sorting errors). */
interface At extends LineOrigin {
  readonly ord: number;
}

/** One `KEYWORD value` line as fwknopd's sscanf splits it; `raw` keeps trailing blanks, undefined when there is no value. */
export interface AccessLine {
  readonly line: number;
  readonly keyword: string;
  readonly raw: string | undefined;
}

const BLANK = /^[ \t\v\f\r]*/;

/** fwknopd's line reading: comments and empty lines by their first character, then `%s %[^;\n\r]`, a trailing `:` cut off the keyword. */
export function splitAccessLines(text: string): AccessLine[] {
  const out: AccessLine[] = [];
  text.replace(/^\ufeff/, '').split('\n').forEach((physical, i) => {
    // fwknopd refuses a line of blanks and warns about an indented comment; both are skipped here.
    const s = physical.replace(BLANK, '');
    if (s === '' || s[0] === '#' || s[0] === ';' || s[0] === '\0') return;
    const token = /^[^ \t\v\f\r]+/.exec(s)![0];
    const value = /^[^;\r]*/.exec(s.slice(token.length).replace(BLANK, ''))![0];
    const colon = token.lastIndexOf(':');
    out.push({ line: i + 1, keyword: colon < 0 ? token : token.slice(0, colon), raw: value === '' ? undefined : value });
  });
  return out;
}

interface Setting {
  readonly value: string;
  readonly at: At;
}

type DoorKey = 'source' | 'key_base64' | 'key' | 'hmac_key_base64' | 'hmac_key' | 'hmac_digest_type' | 'encryption_mode'
  | 'open_ports' | 'require_username' | 'require_source_address' | 'fw_access_timeout' | 'max_fw_timeout';
const OUTPUT_ORDER: readonly DoorKey[] = [
  'source', 'key_base64', 'key', 'hmac_key_base64', 'hmac_key', 'hmac_digest_type', 'encryption_mode',
  'open_ports', 'require_username', 'require_source_address', 'fw_access_timeout', 'max_fw_timeout',
];

class Stanza {
  /** What the door gets; absent keys are left out (`source`: any). */
  readonly out = new Map<DoorKey, Setting>();
  encryption?: { bytes: Uint8Array; at: At };
  hmac?: { bytes: Uint8Array; at: At };
  /** A key line was given, even a bad one: no "has no key" error on top of its own. */
  keyTried = false;
  hmacTried = false;
  openPortsTried = false;
  restrictPorts = false;
  gpg = false;
  digestAt?: At;

  constructor(readonly number: number, readonly at: At) {}
}

type Report = (code: ConfigErrorCode, at: At, detail: string) => void;
/** A Report bound to one line. */
type Bad = (code: ConfigErrorCode, detail: string) => void;

class Converter {
  readonly stanzas: Stanza[] = [];
  private readonly errors: { error: ConfigError; ord: number }[] = [];
  private ord = 0;

  constructor(private readonly io: AccessConfIO) {}

  readonly report: Report = (code, at, detail) => {
    this.errors.push({ error: new ConfigError(code, { file: at.file, line: at.line, key: at.key }, detail), ord: at.ord });
  };

  /** Errors in reading order: files as they are included, lines in order; stanza checks at their SOURCE line. */
  sortedErrors(): ConfigError[] {
    return [...this.errors].sort((a, b) => a.ord - b.ord).map((e) => e.error);
  }

  private at(file: string, line: AccessLine): At {
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
        this.unknownKeyword(at);
        continue;
      }
      if (item.raw === undefined) {
        this.report('CONFIG_SYNTAX', at, `no value; expected ${keyword} and its value on one line (a ";" ends the value)`);
        if (keyword === 'SOURCE') current = this.newStanza(at);
        continue;
      }
      const raw = item.raw;
      const value = raw.trimEnd();
      if (keyword === '%include') {
        this.include(value, at, stack);
      } else if (keyword === '%include_folder') {
        this.includeFolder(value, at, stack);
      } else if (keyword === 'SOURCE') {
        current = this.newStanza(at);
        applySource(current, value, at, this.report);
      } else if (!current) {
        this.report('CONFIG_NO_SECTION', at,
          'comes before any SOURCE line (fwknopd ignores it); expected it inside a stanza: each stanza starts with SOURCE');
      } else if (keyword === '%include_keys') {
        this.includeKeys(value, at, current);
      } else if (Object.hasOwn(UNSUPPORTED, keyword)) {
        this.unsupported(current, keyword, value, at);
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

  private unknownKeyword(at: At): void {
    const lower = at.key.toLowerCase();
    const meant = [...KNOWN].find((k) => k.toLowerCase() === lower);
    if (meant) {
      this.report('CONFIG_UNKNOWN_KEY', at, `keywords are case-sensitive, and fwknopd ignores "${at.key}"; expected ${meant}`);
    } else {
      this.report('CONFIG_UNKNOWN_KEY', at, `unknown access.conf keyword; expected one of ${SUPPORTED_LIST}`);
    }
  }

  private unsupported(stanza: Stanza, keyword: string, value: string, at: At): void {
    if (keyword.startsWith('GPG_')) stanza.gpg = true;
    if (keyword === 'RESTRICT_PORTS') stanza.restrictPorts = true;
    if (HARMLESS_WHEN_N.has(keyword)) {
      const on = yesNo(value);
      if (on === false) return;
      if (on === undefined) {
        this.report('CONFIG_BAD_VALUE', at, `"${value}" is not Y or N; expected Y or N (fwknopd reads any value not starting with Y as N)`);
        return;
      }
    }
    this.report('CONFIG_UNKNOWN_KEY', at, UNSUPPORTED[keyword]!);
  }

  /** The path an include names: absolute as written, relative to the including file's folder. */
  private static resolve(from: string, path: string): string {
    return isAbsolute(path) ? path : join(dirname(from), path);
  }

  /** Whether another file may be read from the current one, else the error is reported. */
  private mayDescend(path: string, at: At, stack: readonly string[]): boolean {
    if (stack.includes(path)) {
      this.report('CONFIG_BAD_VALUE', at, `"${path}" is already being read, so it would include itself; expected no include loop`);
      return false;
    }
    if (stack.length >= MAX_INCLUDE_DEPTH) {
      this.report('CONFIG_BAD_VALUE', at,
        `"${path}" would be a ${MAX_INCLUDE_DEPTH + 1}th level of files, and fwknopd refuses to go deeper than ${MAX_INCLUDE_DEPTH}; expected it included from a file nearer the top`);
      return false;
    }
    return true;
  }

  private include(value: string, at: At, stack: readonly string[]): void {
    const path = Converter.resolve(at.file, value);
    if (!this.mayDescend(path, at, stack)) return;
    const text = this.io.readFile(path);
    if (text === undefined) {
      this.report('CONFIG_MISSING_FILE', at, `cannot read "${path}"; expected an existing access.conf file (fwknopd refuses a missing one too)`);
      return;
    }
    this.readAccessFile(text, [...stack, path]);
  }

  /** fwknopd reads every name whose last extension starts with `.conf`, in directory order; here in name order. */
  private includeFolder(value: string, at: At, stack: readonly string[]): void {
    const folder = Converter.resolve(at.file, value).replace(/(.)\/+$/, '$1');
    if (!this.io.listFolder) {
      this.report('CONFIG_BAD_VALUE', at, `folders cannot be read here; expected an %include line for each file in "${folder}"`);
      return;
    }
    const names = this.io.listFolder(folder);
    if (names === undefined) {
      this.report('CONFIG_MISSING_FILE', at, `cannot read the folder "${folder}"; expected an existing folder of .conf files`);
      return;
    }
    const confs = names.filter((n) => {
      const dot = n.lastIndexOf('.');
      return dot >= 0 && n.slice(dot).startsWith('.conf');
    }).sort();
    for (const name of confs) {
      const path = join(folder, name);
      if (!this.mayDescend(path, at, stack)) return;
      const text = this.io.readFile(path);
      if (text === undefined) {
        this.report('CONFIG_MISSING_FILE', at, `cannot read "${path}"; expected a readable file in "${folder}"`);
        continue;
      }
      this.readAccessFile(text, [...stack, path]);
    }
  }

  /** fwknopd reads only key lines from the file into the current stanza, and ignores the rest. */
  private includeKeys(value: string, at: At, stanza: Stanza): void {
    const path = Converter.resolve(at.file, value);
    const text = this.io.readFile(path);
    if (text === undefined) {
      this.report('CONFIG_MISSING_FILE', at,
        `cannot read "${path}"; expected an existing file with this stanza's keys (fwknopd would drop the stanza without a word)`);
      stanza.keyTried = true;
      return;
    }
    for (const item of splitAccessLines(text)) {
      const keyAt = this.at(path, item);
      if (item.keyword.startsWith('GPG_')) {
        stanza.gpg = true;
        this.report('CONFIG_UNKNOWN_KEY', keyAt, GPG);
      } else if (!KEY_FILE_KEYWORDS.has(item.keyword)) {
        this.report('CONFIG_UNKNOWN_KEY', keyAt,
          `fwknopd ignores this in an %include_keys file, which holds only KEY, KEY_BASE64, HMAC_KEY, HMAC_KEY_BASE64 (and GPG_*) lines; expected it in the stanza itself, above the %include_keys line (${at.file}:${at.line})`);
      } else if (item.raw === undefined) {
        this.report('CONFIG_SYNTAX', keyAt, `no value; expected ${item.keyword} and its value on one line (a ";" ends the value)`);
      } else {
        applyKeyword(stanza, item.keyword as Converted, item.raw, keyAt, this.report);
      }
    }
  }

  /** Checks on whole stanzas, once every file is read. */
  checkStanzas(rootFile: string): void {
    if (this.stanzas.length === 0) {
      this.report('CONFIG_BAD_VALUE', { file: rootFile, line: 1, key: 'SOURCE', ord: 0 },
        'the file has no stanza; expected at least one, starting with a SOURCE line (fwknopd refuses such a file too)');
    }
    for (const s of this.stanzas) {
      if (!s.keyTried && !s.gpg) {
        this.report('CONFIG_BAD_VALUE', s.at,
          'this stanza has no encryption key; expected a KEY_BASE64 (or KEY) line in it, e.g. from fwknop --key-gen (fwknopd refuses a stanza without keys too)');
      }
      if (!s.openPortsTried && !s.restrictPorts) {
        this.report('CONFIG_BAD_VALUE', s.at,
          'this stanza has no OPEN_PORTS, so fwknopd opens whatever port a client asks for; expected OPEN_PORTS with the ports clients may open, e.g. OPEN_PORTS tcp/22 (a Portcullis SPA door opens only those)');
      }
      if (s.digestAt && !s.hmacTried) {
        this.report('CONFIG_CONFLICT', s.digestAt,
          'the stanza has no HMAC key, so fwknopd checks no HMAC at all; expected HMAC_KEY_BASE64 (or HMAC_KEY) in the stanza too, or no HMAC_DIGEST_TYPE');
      }
      if (s.encryption && s.hmac && Buffer.from(s.encryption.bytes).equals(Buffer.from(s.hmac.bytes))) {
        this.report('CONFIG_CONFLICT', s.hmac.at,
          `is the same as the encryption key (${s.encryption.at.key}, line ${s.encryption.at.line}); expected two different keys, as fwknop --key-gen makes them (fwknopd refuses identical keys too)`);
      }
    }
  }
}

/** fwknop's Y/N: true, false, or undefined for a value that is neither (fwknopd would read it as N unless it starts with Y). */
function yesNo(value: string): boolean | undefined {
  if (/^y(es)?$/i.test(value)) return true;
  if (/^no?$/i.test(value)) return false;
  return undefined;
}

function set(stanza: Stanza, key: DoorKey, value: string, at: At): void {
  stanza.out.set(key, { value, at });
}

/** `raw` is the value as fwknopd reads it, trailing blanks included (they are part of a KEY). */
function applyKeyword(stanza: Stanza, keyword: Converted, raw: string, at: At, report: Report): void {
  const value = raw.trimEnd();
  const bad: Bad = (code, detail) => report(code, at, detail);
  switch (keyword) {
    case 'SOURCE': return; // read by newStanza's caller
    case 'KEY':
    case 'HMAC_KEY': {
      const hmac = keyword === 'HMAC_KEY';
      if (hmac) stanza.hmacTried = true; else stanza.keyTried = true;
      const bytes = passphrase(raw, hmac, bad);
      if (!bytes) return;
      replaceKey(stanza, hmac, hmac ? 'hmac_key' : 'key', value, bytes, at);
      return;
    }
    case 'KEY_BASE64':
    case 'HMAC_KEY_BASE64': {
      const hmac = keyword === 'HMAC_KEY_BASE64';
      if (hmac) stanza.hmacTried = true; else stanza.keyTried = true;
      const bytes = base64Key(value, hmac, bad);
      if (!bytes) return;
      replaceKey(stanza, hmac, hmac ? 'hmac_key_base64' : 'key_base64', value, bytes, at);
      return;
    }
    case 'HMAC_DIGEST_TYPE': {
      const lower = value.toLowerCase();
      stanza.digestAt = at;
      if (HMAC_DIGESTS.includes(lower)) set(stanza, 'hmac_digest_type', lower, at);
      else bad('CONFIG_BAD_VALUE', `"${value}" is not an HMAC digest; expected one of ${HMAC_DIGESTS.join(', ')}`);
      return;
    }
    case 'ENCRYPTION_MODE': return encryptionMode(stanza, value, at, bad);
    case 'OPEN_PORTS': {
      stanza.openPortsTried = true;
      const ports = openPorts(value, bad);
      if (ports) set(stanza, 'open_ports', ports, at);
      return;
    }
    case 'FW_ACCESS_TIMEOUT':
    case 'MAX_FW_TIMEOUT': {
      const max = keyword === 'MAX_FW_TIMEOUT';
      const seconds = convert(bad, () => parseSeconds(value, 0) / 1000);
      if (seconds === undefined) return;
      // fwknopd: below 1 means the default.
      const s = seconds > 0 ? seconds : max ? DEFAULT_MAX_TIMEOUT_S : DEFAULT_ACCESS_TIMEOUT_S;
      set(stanza, max ? 'max_fw_timeout' : 'fw_access_timeout', String(s), at);
      return;
    }
    case 'REQUIRE_SOURCE_ADDRESS':
    case 'REQUIRE_SOURCE': {
      const on = yesNo(value);
      if (on === undefined) bad('CONFIG_BAD_VALUE', `"${value}" is not Y or N; expected Y or N (fwknopd reads any value not starting with Y as N)`);
      else set(stanza, 'require_source_address', on ? 'yes' : 'no', at);
      return;
    }
    case 'REQUIRE_USERNAME': set(stanza, 'require_username', value, at); return;
    case 'ENABLE_CMD_EXEC': {
      const on = yesNo(value);
      if (on === undefined) bad('CONFIG_BAD_VALUE', `"${value}" is not Y or N; expected Y or N (fwknopd reads any value not starting with Y as N)`);
      else if (on) {
        bad('CONFIG_BAD_VALUE',
          'Portcullis does not run SPA command messages (fwknop --server-cmd), a remote command as root; expected ENABLE_CMD_EXEC N, and this stanza written as an SPA door with a Start_Command if something must run when it opens');
      }
      return;
    }
  }
}

/** A later key line replaces an earlier one, as in fwknopd (KEY and KEY_BASE64 set the same key). */
function replaceKey(stanza: Stanza, hmac: boolean, key: DoorKey, value: string, bytes: Uint8Array, at: At): void {
  const pair: DoorKey[] = hmac ? ['hmac_key', 'hmac_key_base64'] : ['key', 'key_base64'];
  for (const k of pair) stanza.out.delete(k);
  set(stanza, key, value, at);
  if (hmac) stanza.hmac = { bytes, at };
  else stanza.encryption = { bytes, at };
}

function convert<T>(bad: Bad, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof InvalidValueError)) throw e;
    bad(e.code, e.message);
    return undefined;
  }
}

function placeholder(value: string, bad: Bad): boolean {
  if (value.toLowerCase() !== PLACEHOLDER) return false;
  bad('CONFIG_BAD_VALUE',
    '__CHANGEME__ is the placeholder of fwknop\'s sample access.conf, and fwknopd refuses it too; expected a real key, e.g. from fwknop --key-gen (it prints KEY_BASE64 and HMAC_KEY_BASE64 lines)');
  return true;
}

/** KEY / HMAC_KEY: the bytes exactly as fwknopd takes them; the value is never echoed in a message. */
function passphrase(raw: string, hmac: boolean, bad: Bad): Uint8Array | undefined {
  const value = raw.trimEnd();
  if (placeholder(value, bad)) return undefined;
  if (value !== raw) {
    bad('CONFIG_BAD_VALUE',
      'the key ends in blanks, which fwknopd keeps as part of the key but a Portcullis config value cannot hold; expected the key without them (on the clients too), or the same bytes as ' + (hmac ? 'HMAC_KEY_BASE64' : 'KEY_BASE64'));
    return undefined;
  }
  const bytes = new Uint8Array(Buffer.from(value, 'utf8'));
  const max = hmac ? MAX_HMAC_KEY_BYTES : MAX_KEY_BYTES;
  if (bytes.length > max) {
    bad('CONFIG_BAD_VALUE', `the key is ${bytes.length} bytes; expected ${hmac ? 'an HMAC key' : 'a Rijndael key'} of 1 to ${max} bytes (fwknop cannot use a longer one)`);
    return undefined;
  }
  return bytes;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function base64Key(value: string, hmac: boolean, bad: Bad): Uint8Array | undefined {
  if (placeholder(value, bad)) return undefined;
  const bare = value.replace(/=+$/, '');
  if (!BASE64.test(value) || bare.length % 4 === 1 || (value.includes('=') && value.length % 4 !== 0)) {
    bad('CONFIG_BAD_VALUE', `not base64; expected the key in standard base64, as fwknop --key-gen prints it`);
    return undefined;
  }
  const bytes = new Uint8Array(Buffer.from(bare, 'base64'));
  const max = hmac ? MAX_HMAC_KEY_BYTES : MAX_KEY_BYTES;
  if (bytes.length > max) {
    bad('CONFIG_BAD_VALUE', `decodes to ${bytes.length} bytes; expected ${hmac ? 'an HMAC key' : 'a Rijndael key'} of 1 to ${max} bytes (fwknop cannot use a longer one)`);
    return undefined;
  }
  return bytes;
}

function encryptionMode(stanza: Stanza, value: string, at: At, bad: Bad): void {
  const lower = value.toLowerCase();
  if (lower === 'cbc' || lower === 'legacy') {
    set(stanza, 'encryption_mode', lower, at);
  } else if (lower === 'asymmetric') {
    stanza.gpg = true;
    bad('CONFIG_BAD_VALUE', GPG);
  } else if (['ctr', 'ecb', 'cfb', 'ofb'].includes(lower)) {
    bad('CONFIG_BAD_VALUE',
      `${value} mode is ${NOT_YET}; expected CBC (fwknop's default: clients without -M, or -M cbc) or legacy (clients older than 2.5)`);
  } else {
    bad('CONFIG_BAD_VALUE',
      `"${value}" is not an fwknop encryption mode; expected CBC or legacy (fwknop also has CTR, ECB, CFB, OFB and Asymmetric, which Portcullis does not support yet)`);
  }
}

/** `192.168.10.0/24, 10.1.1.123`, ANY anywhere in the list meaning any source. */
function applySource(stanza: Stanza, value: string, at: At, report: Report): void {
  const items = value.split(',').map((s) => s.trim());
  let any = false;
  const networks: string[] = [];
  for (const item of items) {
    if (item.toLowerCase() === 'any') {
      any = true;
      continue;
    }
    const network = convert((code, detail) => report(code, at, detail), () => sourceItem(item));
    if (network === undefined) return;
    if (!networks.includes(network)) networks.push(network);
  }
  if (!any) set(stanza, 'source', networks.join(', '), at);
}

/** An address or network; fwknop also writes the mask dotted (`10.0.0.0/255.0.0.0`). */
function sourceItem(item: string): string {
  if (item === '') {
    throw new InvalidValueError('CONFIG_BAD_ADDRESS',
      'empty entry (a stray comma?); expected ANY, or addresses and networks separated by commas, e.g. 192.168.10.0/24, 10.1.1.123');
  }
  let text = item;
  const slash = item.indexOf('/');
  if (slash >= 0 && item.slice(slash + 1).includes('.')) {
    const mask = parseAddress(item.slice(slash + 1).trim());
    const prefix = mask?.family === 4 ? prefixOf(mask.bytes) : -1;
    if (prefix < 0) {
      throw new InvalidValueError('CONFIG_BAD_ADDRESS', `"${item}" has a mask that is not a run of leading ones; expected /PREFIX or a mask such as /255.255.255.0`);
    }
    text = `${item.slice(0, slash)}/${prefix}`;
  }
  const network = parseCidr(text);
  const host = slash < 0;
  return host ? formatAddress(network) : network.text;
}

/** The prefix length of a contiguous IPv4 mask, else -1. */
function prefixOf(bytes: Uint8Array): number {
  const bits = Array.from(bytes, (b) => b.toString(2).padStart(8, '0')).join('');
  const ones = bits.indexOf('0') < 0 ? 32 : bits.indexOf('0');
  return bits.includes('1', ones) ? -1 : ones;
}

/** `tcp/22, udp/1194`: fwknop needs the protocol on every entry. */
function openPorts(value: string, bad: Bad): string | undefined {
  const ports: string[] = [];
  for (const item of value.split(',').map((s) => s.trim())) {
    if (item === '') {
      bad('CONFIG_BAD_VALUE', 'empty entry (a stray comma?); expected PROTO/PORT entries separated by commas, e.g. tcp/22, udp/1194');
      return undefined;
    }
    if (!item.includes('/')) {
      bad('CONFIG_BAD_PROTOCOL', `"${item}" has no protocol, and fwknopd refuses a bare port; expected tcp/${item} or udp/${item}`);
      return undefined;
    }
    const port = convert(bad, () => parseOpenPort(item));
    if (!port) return undefined;
    const text = `${port.proto}/${port.port}`;
    if (!ports.includes(text)) ports.push(text);
  }
  return ports.join(', ');
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
  c.checkStanzas(file);
  const errors = c.sortedErrors();
  if (errors.length > 0) throw new ConfigErrors(errors);

  const lines: string[] = [];
  const origins: (LineOrigin | undefined)[] = [];
  const push = (line: string, origin?: At) => {
    lines.push(line);
    origins.push(origin && { file: origin.file, line: origin.line, key: origin.key });
  };
  for (const s of c.stanzas) {
    if (s.number > 1) push('');
    push(`# from ${s.at.file}:${s.at.line}`);
    push(`[fwknop-${s.number}]`, s.at);
    // fwknopd's defaults, written out so the door does not depend on Portcullis's
    // (require_source_address is yes by default in Portcullis, N in fwknopd).
    const defaults: Partial<Record<DoorKey, string>> = {
      require_source_address: 'no',
      fw_access_timeout: String(DEFAULT_ACCESS_TIMEOUT_S),
      max_fw_timeout: String(DEFAULT_MAX_TIMEOUT_S),
    };
    for (const key of OUTPUT_ORDER) {
      const setting = s.out.get(key);
      const value = setting?.value ?? defaults[key];
      if (value !== undefined) push(`${key} = ${value}`, setting?.at ?? s.at);
    }
  }
  return { sections: lines.length === 0 ? '' : `${lines.join('\n')}\n`, doors: c.stanzas.length, lineOrigins: origins };
}

/**
 * `configText` with the converted sections after it, and the line the
 * sections start on, for parsing both as one file and for relocateErrors.
 */
export function appendConverted(configText: string, converted: ConvertedAccessConf): { text: string; firstLine: number } {
  const head = configText === '' || configText.endsWith('\n') ? configText : `${configText}\n`;
  const body = head === '' ? head : `${head}\n`;
  const firstLine = body === '' ? 1 : body.split('\n').length;
  return { text: body + converted.sections, firstLine };
}

/**
 * Errors from parsing appendConverted's text as `file`: those on the appended
 * lines are moved to the access.conf line they came from, under its keyword
 * (`FILE:LINE: OPEN_PORTS: …`); the others are kept.
 */
export function relocateErrors(errors: ConfigErrors, file: string, firstLine: number, converted: ConvertedAccessConf): ConfigErrors {
  return new ConfigErrors(errors.errors.map((e) => {
    if (e.file !== file || e.line < firstLine) return e;
    const origin = converted.lineOrigins[e.line - firstLine];
    if (!origin) return e;
    return new ConfigError(e.code, origin, e.detail);
  }));
}
