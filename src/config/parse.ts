// parseConfig: knockd.conf text to a validated Config, or ConfigErrors listing
// every problem as `FILE:LINE: key: what is wrong; expected …`.
//
// A file knockd 0.8 accepted parses to the same doors here, except where
// knockd silently did something nobody meant; those are now errors:
//   - a trailing comma or a non-numeric/negative port (knockd: port 0 or 65535);
//   - a non-numeric timeout (knockd: 0) and Seq_Timeout = 0 (a door that never opens);
//   - Sequence and One_Time_Sequences in one door (knockd: the later line won).
// And where knockd refused a file with a vague "syntax error", the message now
// says what was meant. Two deliberate relaxations: TCPFlags allows spaces after
// commas (`syn, ack`), and a trailing ` # comment` after a Sequence or a number
// is dropped (knockd's atoi ignored it, so such files ran).
//
// The Portcullis keys are described where they are declared: door keys in
// door.ts (Allow, Allow_Duplicates, Cooldown, Open, Open_Timeout, Forward,
// Revokes, Knock_Min_Gap, Knock_Max_Gap; the SPA door keys in spa-door.ts), options in options.ts (StateDir, Decoys, FailureLimit, FailureWindow,
// BanTime, MaxAttempts, MaxTrackedSources, Firewall, Nft_Table, Nft_Priority, Close_On_Exit),
// and the ICMP and payload steps in sequence.ts.
import type { Config, Door } from './model.js';
import { ConfigErrors } from './errors.js';
import { splitConfigLines } from './lines.js';
import { Problems, type Origin } from './problems.js';
import { DOOR_KEYS, DoorDraft, type IoForConfig } from './door.js';
import { OPTION_KEYS, OptionsDraft } from './options.js';
import { isDecoyStep } from './decoys.js';
import { formatStep } from './sequence.js';
import { checkFirewallKeys } from './firewall-checks.js';
import { checkRulesKeys } from './rules-checks.js';
import { checkSpaDoors } from './spa-door.js';

/** What the parser may read besides the config text: One_Time_Sequences files. */
export type ConfigIO = IoForConfig;

type Section = { kind: 'options' } | { kind: 'door'; door: DoorDraft };

/**
 * Parses a whole config file. `io.readFile` is used only for One_Time_Sequences
 * files (undefined = missing). Throws ConfigErrors with every problem found.
 */
export function parseConfig(text: string, file: string, io: ConfigIO): Config {
  const problems = new Problems(file);
  const options = new OptionsDraft();
  const doors: DoorDraft[] = [];
  let section: Section | undefined;

  const openSection = (line: number, name: string, checked: boolean): Section => {
    if (name.trim().toLowerCase() === 'options') return { kind: 'options' };
    const door = new DoorDraft(name, line, checked);
    doors.push(door);
    return { kind: 'door', door };
  };

  for (const item of splitConfigLines(text)) {
    if (item.kind === 'section') {
      const { line, name } = item;
      if (name === 'options') section = { kind: 'options' };
      else if (name.trim() === '') {
        problems.atSection('CONFIG_BAD_SECTION', line, `[${name}]`, 'empty section name; expected [options] or [door name]');
        section = openSection(line, name, false);
      } else {
        // knockd matched [options] case-sensitively and untrimmed; anything else was a door.
        if (name.trim().toLowerCase() === 'options') {
          problems.atSection('CONFIG_BAD_SECTION', line, `[${name}]`,
            `knockd would read this as a door named "${name}"; expected [options] exactly (lower case, no spaces) for the options section`);
        }
        section = openSection(line, name, true);
      }
      continue;
    }
    if (item.kind === 'bad-section') {
      problems.atSection('CONFIG_BAD_SECTION', item.line, item.text,
        'not a section header; expected [name] alone on its line (comments go on their own line)');
      section = openSection(item.line, item.name, item.name.trim() !== '');
      continue;
    }

    const { line, key, value } = item;
    const lower = key.toLowerCase();
    if (value === undefined) {
      if (lower !== 'usesyslog') {
        const word = key.split(/\s/)[0]!;
        problems.atKey('CONFIG_SYNTAX', { line, key: word }, `no "=" on this line; expected ${word} = value`);
        // `sequence 1,2` was meant as the door's sequence; do not also report a door without one.
        if (section?.kind === 'door') section.door.noteKeyTried(word.toLowerCase(), { line, key: word });
        continue;
      }
    } else if (key === '') {
      problems.atSection('CONFIG_SYNTAX', line, `"= ${value}"`, 'no key before "="; expected key = value');
      continue;
    }
    const at: Origin = { line, key };
    if (!section) {
      problems.atKey('CONFIG_NO_SECTION', at, 'directive outside any section; expected it below an [options] or [door name] header');
      continue;
    }
    if (lower === 'usesyslog') {
      // knockd accepted a bare UseSyslog in any section, doors included.
      if (value === undefined) options.useSyslog = true;
      else problems.atKey('CONFIG_SYNTAX', at, 'takes no value; expected UseSyslog alone on its line');
      continue;
    }
    if (section.kind === 'options') applyOption(lower, value!, at, options, problems);
    else applyDoorKey(section.door, lower, value!, at, problems, io);
  }

  for (const door of doors) door.check(problems);
  const built = options.build();
  checkDecoys(doors, options, problems);
  checkFirewallKeys(doors, options, problems);
  checkRulesKeys(doors, problems);
  // SPA doors (spa-door.ts): ports shared by SPA doors, knock ports on SPA ports, firewall = command.
  checkSpaDoors(doors.filter((d) => d.checked).map((d) => ({
    name: d.name, spa: d.spa, isSpa: d.isSpa, commands: d.hasCommands, ...((d.sequenceAt ?? d.oneTimeAt) && { sequenceAt: (d.sequenceAt ?? d.oneTimeAt)! }),
    udpSteps: [...(d.sequence?.steps ?? []), ...(d.oneTime?.all.flatMap((s) => s.sequence) ?? [])].filter((s) => s.proto === 'udp').map((s) => s.port),
  })), options.firewall, problems);
  if (problems.errors.length > 0) throw new ConfigErrors(problems.sorted());
  return {
    file,
    options: built,
    doors: doors.map((d) => d.build()).filter((d): d is Door => d !== undefined),
  };
}

function applyOption(lower: string, value: string, at: Origin, options: OptionsDraft, problems: Problems): void {
  if (Object.hasOwn(OPTION_KEYS, lower)) {
    options.apply(OPTION_KEYS[lower as keyof typeof OPTION_KEYS], value, at, problems);
  } else if (Object.hasOwn(DOOR_KEYS, lower)) {
    problems.atKey('CONFIG_UNKNOWN_KEY', at, 'a door key is not valid in [options]; expected it in a [door name] section');
  } else {
    problems.atKey('CONFIG_UNKNOWN_KEY', at, `unknown option; expected one of ${knownKeys(OPTION_KEYS)}`);
  }
}

function applyDoorKey(door: DoorDraft, lower: string, value: string, at: Origin, problems: Problems, io: IoForConfig): void {
  if (Object.hasOwn(DOOR_KEYS, lower)) {
    door.apply(DOOR_KEYS[lower as keyof typeof DOOR_KEYS], value, at, problems, io);
  } else if (Object.hasOwn(OPTION_KEYS, lower)) {
    problems.atKey('CONFIG_UNKNOWN_KEY', at, 'an [options] key cannot be set per door; expected it in the [options] section');
  } else {
    problems.atKey('CONFIG_UNKNOWN_KEY', at, `unknown door key; expected one of ${knownKeys(DOOR_KEYS)}`);
  }
}

function knownKeys(table: object): string {
  return Object.keys(table).join(', ');
}

/** With an explicit Decoys list, a knock port that is also a decoy would fail every attempt. */
function checkDecoys(doors: readonly DoorDraft[], options: OptionsDraft, problems: Problems): void {
  const decoys = options.decoys;
  if (decoys.mode !== 'ports') return;
  const where = options.decoysAt ? ` (Decoys, line ${options.decoysAt.line})` : '';
  for (const door of doors) {
    door.secret.checkDecoys(decoys, where, problems);
    for (const step of door.sequence?.steps ?? []) {
      if (isDecoyStep(decoys, step)) {
        problems.atKey('CONFIG_CONFLICT', door.sequence!.at,
          `${formatStep(step)} is also a decoy port${where}; expected knock ports outside the decoy list`);
      }
    }
    for (const entry of door.oneTime?.all ?? []) {
      for (const step of entry.sequence.filter((s) => isDecoyStep(decoys, s))) {
        problems.atKey('CONFIG_CONFLICT', door.oneTime!.at,
          `${formatStep(step)} on line ${entry.lineIndex + 1} of "${door.oneTime!.path}" is also a decoy port${where}; expected knock ports outside the decoy list`);
      }
    }
  }
}
