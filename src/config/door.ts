// Door sections: every knockd 0.8 door key and alias, plus the Portcullis keys.
// Keys are case-insensitive; a repeated key replaces the earlier value, except
// TCPFlags and Allow, whose lines add up.
import { DEFAULTS, type Cidr, type Door, type ForwardRule, type OpenPort, type Step, type TcpFlagRule } from './model.js';
import type { Origin, Problems } from './problems.js';
import { listOneTimeSequences, type OneTimeSequence } from './one-time.js';
import { parseSequenceReport, stripTrailingComment } from './sequence.js';
import { parseTcpFlags } from './tcpflags.js';
import { InvalidValueError } from './errors.js';
import { parseDoorNames, parseForwardList, parseOpenList } from './firewall-values.js';
import { MAX_SECONDS, parseAllowList, parsePath, parseSeconds, parseTarget, parseYesNo } from './values.js';
import { SPA_SHARED_KEYS, SPA_DOOR_KEYS, SpaDraft, isSpaKey, spaDoor } from './spa-door.js';
import { SECRET_SEQUENCE_KEYS, SecretSequenceDraft, isSecretSequenceKey } from './secret-sequence.js';

/** Canonical door key for each accepted spelling (lower case). */
export const DOOR_KEYS = {
  sequence: 'sequence',
  one_time_sequences: 'one_time_sequences',
  seq_timeout: 'seq_timeout',
  timeout: 'seq_timeout',
  start_command: 'start_command',
  command: 'start_command',
  start_command_6: 'start_command_6',
  command_6: 'start_command_6',
  stop_command: 'stop_command',
  stop_command_6: 'stop_command_6',
  cmd_timeout: 'cmd_timeout',
  tcpflags: 'tcpflags',
  target: 'target',
  // Portcullis: `allow = 203.0.113.0/24, 2001:db8::/32` — only these sources may
  // knock on this door (a bare address is one host). Several lines add up.
  allow: 'allow',
  // Portcullis: `allow_duplicates = yes|no` (default no) — a repeat of the knock
  // just matched (a retransmitted SYN) is ignored instead of failing the attempt.
  allow_duplicates: 'allow_duplicates',
  // Portcullis: `cooldown = SECONDS` (default 0) — after this door opens for a
  // source, further knocks from that source on this door are ignored this long.
  cooldown: 'cooldown',
  // Portcullis, firewall backends (firewall-values.ts): `open = tcp/22, udp/1194`
  // — what a grant opens for the knocker, instead of start/stop commands;
  // `open_timeout = SECONDS` (default 30) — how long, extended by a repeat knock;
  // `forward = tcp/13389 -> 10.0.0.5:3389` — gateway access to an inside host;
  // `revokes = openSSH` — this door closes that door's grant for the knocker.
  open: 'open',
  open_timeout: 'open_timeout',
  forward: 'forward',
  revokes: 'revokes',
  // Portcullis, timing between consecutive knocks (rules-checks.ts checks them
  // against the sequence; `portcullis rules` puts the same timing in the
  // kernel, src/rules/): `knock_min_gap = SECONDS` — a next knock sooner than
  // this after the previous one fails the attempt; `knock_max_gap = SECONDS` —
  // a next knock later than this times the attempt out. Default: none. With a
  // sequence that repeats the service port (`sequence = 22,22,22`, `open =
  // tcp/22`) they give the classic same-port recipe.
  knock_min_gap: 'knock_min_gap',
  knock_max_gap: 'knock_max_gap',
  // Portcullis, SPA doors (spa-door.ts): a door with `key_base64` (or `key`)
  // and no sequence is an fwknop-compatible SPA door; its keys are fwknopd's
  // access.conf names in lower case (spa_port, open_ports, source, …).
  ...SPA_DOOR_KEYS,
  // Portcullis, replay-resistant sequences (secret-sequence.ts): instead of a
  // Sequence, `sequence_secret = BASE64` derives the ports from an HMAC of the
  // secret and the time window; sequence_length, sequence_window,
  // sequence_ports and sequence_protocol tune it.
  ...SECRET_SEQUENCE_KEYS,
} as const;
export type DoorKey = (typeof DOOR_KEYS)[keyof typeof DOOR_KEYS];

export interface IoForConfig {
  readFile(path: string): string | undefined;
}

// knockd read `abc` as 0 s, and with 0 s every attempt expired at its second knock.
function parseSeqTimeout(value: string): number {
  if (stripTrailingComment(value) === '0') {
    throw new InvalidValueError('CONFIG_BAD_NUMBER',
      `0 seconds would expire every attempt at its second knock; expected a whole number of seconds from 1 to ${MAX_SECONDS}`);
  }
  return parseSeconds(value, 1);
}

export class DoorDraft {
  sequence?: { steps: Step[]; at: Origin };
  oneTime?: { path: string; all: OneTimeSequence[]; at: Origin };
  /** Where Sequence and One_Time_Sequences were given, even with errors. */
  sequenceAt?: Origin;
  oneTimeAt?: Origin;
  seqTimeoutMs: number = DEFAULTS.seqTimeoutMs;
  cmdTimeoutMs: number = DEFAULTS.cmdTimeoutMs;
  startCommand?: string;
  startCommand6?: string;
  stopCommand?: string;
  stopCommand6?: string;
  tcpFlags: TcpFlagRule[] = [];
  target?: string;
  allow: Cidr[] = [];
  allowDuplicates = false;
  cooldownMs = 0;
  open: OpenPort[] = [];
  openAt?: Origin;
  forwards: ForwardRule[] = [];
  forwardAt?: Origin;
  openTimeoutMs: number = DEFAULTS.openTimeoutMs;
  revokes: string[] = [];
  revokesAt?: Origin;
  knockMinGapMs = 0;
  knockMinGapAt?: Origin;
  knockMaxGapMs = 0;
  knockMaxGapAt?: Origin;
  /** The SPA keys (spa-door.ts). */
  readonly spa = new SpaDraft();
  /** The sequence_secret keys (secret-sequence.ts). */
  readonly secret = new SecretSequenceDraft();
  tcpFlagsAt?: Origin;
  /** Knock-door keys given (other than commands and forward), for the errors on an SPA door. */
  private readonly knockKeys: Origin[] = [];

  /** `checked` is false for a section recovered from a header too broken to name a door. */
  constructor(readonly name: string, readonly line: number, readonly checked: boolean) {}

  apply(key: DoorKey, value: string, at: Origin, problems: Problems, io: IoForConfig): void {
    if (isSpaKey(key)) return this.spa.apply(key, value, at, problems);
    if (!SPA_SHARED_KEYS.has(key)) this.knockKeys.push(at);
    if (isSecretSequenceKey(key)) return this.secret.apply(key, value, at, problems);
    switch (key) {
      case 'sequence': return this.setSequence(value, at, problems);
      case 'one_time_sequences': return this.setOneTime(value, at, problems, io);
      case 'seq_timeout': this.seqTimeoutMs = problems.value(at, () => parseSeqTimeout(value)) ?? this.seqTimeoutMs; return;
      // 0 is allowed: run the stop command right after the start command.
      case 'cmd_timeout': this.cmdTimeoutMs = problems.value(at, () => parseSeconds(value, 0)) ?? this.cmdTimeoutMs; return;
      // Commands are kept verbatim, even a `# text` tail: knockd passed it to the shell.
      case 'start_command': this.startCommand = value; return;
      case 'start_command_6': this.startCommand6 = value; return;
      case 'stop_command': this.stopCommand = value; return;
      case 'stop_command_6': this.stopCommand6 = value; return;
      case 'tcpflags': this.tcpFlags = problems.value(at, () => parseTcpFlags(value, this.tcpFlags)) ?? this.tcpFlags; this.tcpFlagsAt = at; return;
      case 'target': this.target = problems.value(at, () => parseTarget(value)) ?? this.target; return;
      case 'allow': this.allow.push(...(problems.value(at, () => parseAllowList(value)) ?? [])); return;
      case 'allow_duplicates': this.allowDuplicates = problems.value(at, () => parseYesNo(value)) ?? this.allowDuplicates; return;
      case 'cooldown': this.cooldownMs = problems.value(at, () => parseSeconds(value, 0)) ?? this.cooldownMs; return;
      case 'open': this.open = problems.value(at, () => parseOpenList(value)) ?? this.open; this.openAt = at; return;
      case 'forward': this.forwards = problems.value(at, () => parseForwardList(value)) ?? this.forwards; this.forwardAt = at; return;
      case 'open_timeout': this.openTimeoutMs = problems.value(at, () => parseSeconds(value, 1)) ?? this.openTimeoutMs; return;
      case 'revokes': this.revokes = problems.value(at, () => parseDoorNames(value)) ?? this.revokes; this.revokesAt = at; return;
      // 0 = no minimum; a maximum of 0 would time out every attempt at its second knock.
      case 'knock_min_gap': this.knockMinGapMs = problems.value(at, () => parseSeconds(value, 0)) ?? this.knockMinGapMs; this.knockMinGapAt = at; return;
      case 'knock_max_gap': this.knockMaxGapMs = problems.value(at, () => parseSeconds(value, 1)) ?? this.knockMaxGapMs; this.knockMaxGapAt = at; return;
    }
  }

  /** Records a Sequence or One_Time_Sequences line too broken to parse (e.g. no `=`). */
  noteKeyTried(lower: string, at: Origin): void {
    if (lower === 'sequence') this.sequenceAt ??= at;
    if (lower === 'one_time_sequences') this.oneTimeAt ??= at;
    if (lower === 'sequence_secret') this.secret.at ??= at;
    // `KEY_BASE64 abc` (access.conf syntax) was meant as an SPA door's key: no "door has no sequence" on top.
    if (Object.hasOwn(SPA_DOOR_KEYS, lower)) this.spa.noteTried(SPA_DOOR_KEYS[lower as keyof typeof SPA_DOOR_KEYS], at);
  }

  private setSequence(value: string, at: Origin, problems: Problems): void {
    this.conflictCheck(this.oneTimeAt, at, problems);
    this.sequenceAt = at;
    this.sequence = undefined;
    // A trailing ` # comment` is dropped: knockd's atoi stopped at it.
    const { steps, errors } = parseSequenceReport(stripTrailingComment(value));
    for (const e of errors) problems.atKey(e.code, at, e.message);
    if (errors.length === 0) this.sequence = { steps, at };
  }

  private setOneTime(value: string, at: Origin, problems: Problems, io: IoForConfig): void {
    this.conflictCheck(this.sequenceAt, at, problems);
    this.oneTimeAt = at;
    this.oneTime = undefined;
    const path = problems.value(at, () => parsePath(value));
    if (path === undefined) return;
    const text = io.readFile(path);
    if (text === undefined) {
      problems.atKey('CONFIG_MISSING_FILE', at, `cannot read "${path}"; expected an existing one-time sequences file`);
      return;
    }
    const all = listOneTimeSequences(text);
    if (all.length === 0) {
      problems.atKey('CONFIG_EMPTY_SEQUENCE', at, `"${path}" has no unused sequence; expected a line such as 2001,2002,2003 that is not commented out`);
      return;
    }
    this.oneTime = { path, all, at };
  }

  // knockd let the later of the two replace the earlier; which one a file
  // relies on is a guess, so Portcullis asks.
  private conflictCheck(other: Origin | undefined, at: Origin, problems: Problems): void {
    if (other) {
      problems.atKey('CONFIG_CONFLICT', at,
        `[${this.name}] already has ${other.key} on line ${other.line}; expected either Sequence or One_Time_Sequences, not both`);
    }
  }

  /** An SPA door: key_base64 or key, and no sequence. */
  get isSpa(): boolean {
    return this.spa.keyAt !== undefined && !this.sequenceAt && !this.oneTimeAt && !this.secret.at;
  }

  /** Start_Command(_6) is set: an SPA door's grant runs commands instead of a firewall backend. */
  get hasCommands(): boolean {
    return this.startCommand !== undefined || this.startCommand6 !== undefined;
  }

  /** Reports a door with no sequence at all (knockd: "has an empty knock sequence"), and SPA keys where they do not belong. */
  check(problems: Problems): void {
    if (!this.checked) return;
    const fixedAt = this.sequenceAt ?? this.oneTimeAt;
    this.secret.check({
      name: this.name,
      ...(fixedAt && { sequenceAt: fixedAt }),
      ...(this.tcpFlagsAt && { tcpFlagsAt: this.tcpFlagsAt }),
      requiresAck: this.tcpFlags.some((r) => r.flag === 'ack' && r.set),
    }, problems);
    const seqAt = fixedAt ?? this.secret.at;
    const spa = this.spa;
    if (spa.keyAt && seqAt) {
      problems.atKey('CONFIG_CONFLICT', spa.keyAt,
        `[${this.name}] has ${seqAt.key} on line ${seqAt.line} and ${spa.keyAt.key} on line ${spa.keyAt.line}; expected either a sequence (a knock door) or ${spa.keyAt.key} without one (an SPA door)`);
      return;
    }
    if (seqAt) {
      for (const at of spa.given) {
        problems.atKey('CONFIG_UNKNOWN_KEY', at, `is an SPA key, but [${this.name}] is a knock door (${seqAt.key} on line ${seqAt.line}); expected it in an SPA door (key_base64 and no sequence)`);
      }
      return;
    }
    if (spa.keyAt) {
      for (const at of this.knockKeys) {
        problems.atKey('CONFIG_UNKNOWN_KEY', at, `is a knock-door key, but [${this.name}] is an SPA door (${spa.keyAt.key} on line ${spa.keyAt.line}); expected SPA keys (spa_port, open_ports, source, fw_access_timeout, …) and Start_Command/Stop_Command only`);
      }
      spa.check({ name: this.name, line: this.line, commands: this.hasCommands, ...(this.forwardAt && { forwardAt: this.forwardAt }) }, problems);
      return;
    }
    if (spa.firstAt) {
      problems.atKey('CONFIG_BAD_VALUE', spa.firstAt, `[${this.name}] has SPA keys but no key; expected key_base64 = KEY (or key = PASSPHRASE) for an SPA door, or a Sequence for a knock door`);
      return;
    }
    problems.atSection('CONFIG_EMPTY_SEQUENCE', this.line, `[${this.name}]`,
      'door has no sequence; expected a Sequence = port[:proto],..., One_Time_Sequences = FILE or Sequence_Secret = BASE64 line');
  }

  /** The finished door, or undefined if its sequence did not parse. */
  build(): Door | undefined {
    if (this.isSpa) {
      const spa = this.spa.build();
      return spa && spaDoor(this.name, this.line, this.commandFields(), spa, this.forwards);
    }
    const secret = this.secret.build();
    const sequence = secret ? [] : this.oneTime?.all[0]?.sequence ?? this.sequence?.steps;
    if (!sequence) return undefined;
    return {
      name: this.name,
      line: this.line,
      sequence,
      ...(this.oneTime && { oneTimeSequences: this.oneTime.path }),
      ...(secret && { sequenceSecret: secret }),
      seqTimeoutMs: this.seqTimeoutMs,
      knockMinGapMs: this.knockMinGapMs,
      knockMaxGapMs: this.knockMaxGapMs,
      cmdTimeoutMs: this.cmdTimeoutMs,
      ...this.commandFields(),
      // A derived TCP knock is a connection attempt: the capture filter passes only those in the range.
      tcpFlags: secret?.proto === 'tcp' && !this.tcpFlags.some((r) => r.flag === 'ack') ? [...this.tcpFlags, { flag: 'ack', set: false }] : this.tcpFlags,
      ...(this.target !== undefined && { target: this.target }),
      allow: this.allow,
      allowDuplicates: this.allowDuplicates,
      cooldownMs: this.cooldownMs,
      open: this.open,
      forwards: this.forwards,
      openTimeoutMs: this.openTimeoutMs,
      revokes: this.revokes,
    };
  }

  private commandFields(): Pick<Door, 'startCommand' | 'startCommand6' | 'stopCommand' | 'stopCommand6'> {
    return {
      ...(this.startCommand !== undefined && { startCommand: this.startCommand }),
      ...(this.startCommand6 !== undefined && { startCommand6: this.startCommand6 }),
      ...(this.stopCommand !== undefined && { stopCommand: this.stopCommand }),
      ...(this.stopCommand6 !== undefined && { stopCommand6: this.stopCommand6 }),
    };
  }
}
