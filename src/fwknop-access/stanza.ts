// One access.conf stanza: its keyword lines collected into door settings,
// each value checked as fwknopd would take it, unsupported options refused
// with what to do instead, and the checks on whole stanzas once all is read.
import type { ConfigErrorCode } from '../config/errors.js';
import { parseSeconds } from '../config/values.js';
import { parseExecName } from '../config/spa-command.js';
import { CONVERTED_KEYWORDS, GPG, HARMLESS_WHEN_N, KNOWN, NOT_YET, SUPPORTED_LIST, UNSUPPORTED, type Converted } from './keywords.js';
import type { At } from './lines.js';
import { base64Key, convert, openPorts, passphrase, sourceItem, type Bad } from './values.js';

export type Report = (code: ConfigErrorCode, at: At, detail: string) => void;

interface Setting {
  readonly value: string;
  readonly at: At;
}

export type DoorKey = 'source' | 'key_base64' | 'key' | 'hmac_key_base64' | 'hmac_key' | 'hmac_digest_type' | 'encryption_mode'
  | 'open_ports' | 'require_username' | 'require_source_address' | 'fw_access_timeout' | 'max_fw_timeout'
  | 'enable_cmd_exec' | 'cmd_exec_user' | 'cmd_exec_group';

export const DEFAULT_ACCESS_TIMEOUT_S = 30;
export const DEFAULT_MAX_TIMEOUT_S = 300;

const HMAC_DIGESTS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sha3_256', 'sha3_512'];

export class Stanza {
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
  /** ENABLE_CMD_EXEC Y; CMD_EXEC_USER given (even a bad one). */
  cmdExecAt?: At;
  cmdUserTried = false;

  constructor(readonly number: number, readonly at: At) {}
}

/** fwknop's Y/N: true, false, or undefined for a value that is neither (fwknopd would read it as N unless it starts with Y). */
function yesNo(value: string): boolean | undefined {
  if (/^y(es)?$/i.test(value)) return true;
  if (/^no?$/i.test(value)) return false;
  return undefined;
}

const notYesNo = (value: string) => `"${value}" is not Y or N; expected Y or N (fwknopd reads any value not starting with Y as N)`;

function set(stanza: Stanza, key: DoorKey, value: string, at: At): void {
  stanza.out.set(key, { value, at });
}

/** `raw` is the value as fwknopd reads it, trailing blanks included (they are part of a KEY). */
export function applyKeyword(stanza: Stanza, keyword: Converted, raw: string, at: At, report: Report): void {
  const value = raw.trimEnd();
  const bad: Bad = (code, detail) => report(code, at, detail);
  switch (keyword) {
    case 'SOURCE': return; // read by newStanza's caller
    case 'KEY':
    case 'HMAC_KEY':
    case 'KEY_BASE64':
    case 'HMAC_KEY_BASE64': {
      const hmac = keyword.startsWith('HMAC_');
      if (hmac) stanza.hmacTried = true; else stanza.keyTried = true;
      // KEY with its trailing blanks (passphrase refuses them); a base64 key trimmed.
      const bytes = keyword.endsWith('_BASE64') ? base64Key(value, hmac, bad) : passphrase(raw, hmac, bad);
      if (bytes) replaceKey(stanza, hmac, CONVERTED_KEYWORDS[keyword], value, bytes, at);
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
      if (on === undefined) bad('CONFIG_BAD_VALUE', notYesNo(value));
      else set(stanza, 'require_source_address', on ? 'yes' : 'no', at);
      return;
    }
    case 'REQUIRE_USERNAME': set(stanza, 'require_username', value, at); return;
    case 'ENABLE_CMD_EXEC': {
      const on = yesNo(value);
      if (on === undefined) bad('CONFIG_BAD_VALUE', notYesNo(value));
      else if (on) { stanza.cmdExecAt = at; set(stanza, 'enable_cmd_exec', 'yes', at); }
      else { stanza.cmdExecAt = undefined; stanza.out.delete('enable_cmd_exec'); }
      return;
    }
    case 'CMD_EXEC_USER':
    case 'CMD_EXEC_GROUP': {
      const user = keyword === 'CMD_EXEC_USER';
      if (user) stanza.cmdUserTried = true;
      const name = convert(bad, () => parseExecName(value, user ? 'user' : 'group'));
      if (name !== undefined) set(stanza, user ? 'cmd_exec_user' : 'cmd_exec_group', name, at);
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
export function applySource(stanza: Stanza, value: string, at: At, report: Report): void {
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

/** A keyword fwknopd knows and Portcullis does not do yet: an error with the fix, unless it is a switch left N. */
export function applyUnsupported(stanza: Stanza, keyword: string, value: string, at: At, report: Report): void {
  if (keyword.startsWith('GPG_')) stanza.gpg = true;
  if (keyword === 'RESTRICT_PORTS') stanza.restrictPorts = true;
  if (HARMLESS_WHEN_N.has(keyword)) {
    const on = yesNo(value);
    if (on === false) return;
    if (on === undefined) {
      report('CONFIG_BAD_VALUE', at, notYesNo(value));
      return;
    }
  }
  report('CONFIG_UNKNOWN_KEY', at, UNSUPPORTED[keyword]!);
}

/** A keyword fwknopd does not know, most likely one written in the wrong case. */
export function unknownKeyword(at: At, report: Report): void {
  const lower = at.key.toLowerCase();
  const meant = [...KNOWN].find((k) => k.toLowerCase() === lower);
  if (meant) {
    report('CONFIG_UNKNOWN_KEY', at, `keywords are case-sensitive, and fwknopd ignores "${at.key}"; expected ${meant}`);
  } else {
    report('CONFIG_UNKNOWN_KEY', at, `unknown access.conf keyword; expected one of ${SUPPORTED_LIST}`);
  }
}

/** Checks on whole stanzas, once every file is read. */
export function checkStanzas(stanzas: readonly Stanza[], rootFile: string, report: Report): void {
  if (stanzas.length === 0) {
    report('CONFIG_BAD_VALUE', { file: rootFile, line: 1, key: 'SOURCE', ord: 0 },
      'the file has no stanza; expected at least one, starting with a SOURCE line (fwknopd refuses such a file too)');
  }
  for (const s of stanzas) {
    if (!s.keyTried && !s.gpg) {
      report('CONFIG_BAD_VALUE', s.at,
        'this stanza has no encryption key; expected a KEY_BASE64 (or KEY) line in it, e.g. from fwknop --key-gen (fwknopd refuses a stanza without keys too)');
    }
    if (s.cmdExecAt && !s.cmdUserTried) {
      report('CONFIG_BAD_VALUE', s.cmdExecAt,
        'without CMD_EXEC_USER fwknopd runs command messages as root, which Portcullis does only when told; expected CMD_EXEC_USER with an account that has no more rights than the commands need (or CMD_EXEC_USER root to keep running them as root)');
    }
    // A command-only stanza needs no OPEN_PORTS: its door then opens nothing (fwknopd would open any port asked for).
    if (!s.openPortsTried && !s.restrictPorts && !s.cmdExecAt) {
      report('CONFIG_BAD_VALUE', s.at,
        'this stanza has no OPEN_PORTS, so fwknopd opens whatever port a client asks for; expected OPEN_PORTS with the ports clients may open, e.g. OPEN_PORTS tcp/22 (a Portcullis SPA door opens only those)');
    }
    if (s.digestAt && !s.hmacTried) {
      report('CONFIG_CONFLICT', s.digestAt,
        'the stanza has no HMAC key, so fwknopd checks no HMAC at all; expected HMAC_KEY_BASE64 (or HMAC_KEY) in the stanza too, or no HMAC_DIGEST_TYPE');
    }
    if (s.encryption && s.hmac && Buffer.from(s.encryption.bytes).equals(Buffer.from(s.hmac.bytes))) {
      report('CONFIG_CONFLICT', s.hmac.at,
        `is the same as the encryption key (${s.encryption.at.key}, line ${s.encryption.at.line}); expected two different keys, as fwknop --key-gen makes them (fwknopd refuses identical keys too)`);
    }
  }
}
