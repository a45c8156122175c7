// The door → stage plan shared by both generators (iptables-recent.ts,
// nft-sets.ts): for each door, the steps, the timing in whole seconds, who
// may knock and what resets an attempt; for all doors, the ports to close.
//
// A door of n steps keeps, per address family, the sources that have matched
// k steps in a list (iptables recent) or set (nftables) of their own, stage
// k = 1 … n-1. A packet moves a source at most one stage: the last step's
// rule comes first, then each earlier one back to the first, and a rule that
// moves a source ends the door's processing for that packet.
//
//   next step, in time  → leave stage k, enter stage k+1 (the last step: open)
//   repeat of step k    → ignored, with allow_duplicates
//   other knock port    → leave every stage (reset); if it is step 1, start again
//
// Timing, all in the kernel: stage k counts for `stageWindow` seconds
// (knock_max_gap, at most seq_timeout); with more than two steps a start list
// holds the first knock for seq_timeout; knock_min_gap: the next step must
// not come while stage k is younger than that.
//
// Pure: Config in, plan out; a door the kernel cannot express is refused
// (refusals.ts), never approximated silently.
import type { Cidr, Config, Door, OpenPort } from '../config/model.js';
import { parseAddress, formatAddress } from '../config/address.js';
import { PortcullisError } from '../errors.js';
import { doorIds } from './names.js';
import { refusals } from './refusals.js';
import { resetMatches, type ResetMatch } from './resets.js';
import { flagTest, type FlagTest } from './flags.js';

export type { FlagTest } from './flags.js';
export type { ResetMatch } from './resets.js';

export type Family = 4 | 6;
export type Proto = 'tcp' | 'udp';

export interface KnockStep {
  readonly proto: Proto;
  readonly port: number;
}

export interface DoorPlan {
  readonly name: string;
  readonly line: number;
  /** Letters, digits and _ (names.ts): the door's part of list, set and chain names. */
  readonly id: string;
  readonly steps: readonly KnockStep[];
  /** TCPFlags, for the TCP steps. */
  readonly flags: FlagTest;
  /** The families a source can knock from (Target and Allow can rule one out). */
  readonly families: readonly Family[];
  readonly target?: { readonly family: Family; readonly address: string };
  /** Who may start an attempt; empty: anyone. */
  readonly allow: readonly Cidr[];
  readonly seqTimeoutS: number;
  /** How long a stage counts: knock_max_gap, capped by seq_timeout. */
  readonly stageWindowS: number;
  /** Whether seq_timeout needs a list of its own (more than two steps). */
  readonly startList: boolean;
  /** knock_min_gap, 0 = none. */
  readonly minGapS: number;
  readonly openTimeoutS: number;
  /** 0 = none. */
  readonly cooldownS: number;
  readonly open: readonly OpenPort[];
  readonly allowDuplicates: boolean;
  /** Ids of the doors whose open list this door's last step clears for the knocker. */
  readonly revokes: readonly string[];
  /** Packets that reset an attempt (the door's own steps among them). */
  readonly resets: readonly ResetMatch[];
  /** What the kernel rules leave out of this door, for the header. */
  readonly notes: readonly string[];
}

export interface RulesPlan {
  readonly file: string;
  readonly doors: readonly DoorPlan[];
  /** Every step of every door: never answered, whoever sends it. */
  readonly knockPorts: readonly OpenPort[];
  /** Every door's open ports: closed to sources no door has opened. */
  readonly protectedPorts: readonly OpenPort[];
  /** What the kernel rules leave out of the whole config, for the header. */
  readonly notes: readonly string[];
}

/** Doors the kernel cannot express, one `FILE:LINE: [door]: reason` line each. */
export class RulesRefused extends PortcullisError {
  constructor(readonly problems: readonly string[]) {
    super('RULES_REFUSED', problems.join('\n'));
  }
}

/** The plan for `only` (door names; default every door). Throws RulesRefused listing every door it cannot express. */
export function planRules(config: Config, only?: readonly string[]): RulesPlan {
  const problems: string[] = [];
  const names = config.doors.map((d) => d.name);
  for (const name of only ?? []) {
    if (!names.includes(name)) problems.push(`${config.file}: no door named "${name}"; expected one of ${names.join(', ') || '(no doors)'}`);
  }
  const doors = only ? config.doors.filter((d) => only.includes(d.name)) : config.doors;
  if (doors.length === 0 && problems.length === 0) problems.push(`${config.file}: no doors; expected at least one [door] section`);
  const chosen = new Set(doors.map((d) => d.name));
  for (const door of doors) {
    for (const reason of refusals(door, chosen)) problems.push(`${config.file}:${door.line}: [${door.name}]: ${reason}`);
  }
  if (problems.length > 0) throw new RulesRefused(problems);

  const idList = doorIds(doors.map((d) => d.name));
  const ids = new Map(doors.map((d, i) => [d.name, idList[i]!]));
  const plans = doors.map((d) => planDoor(d, ids, config));
  return {
    file: config.file,
    doors: plans,
    knockPorts: uniquePorts(plans.flatMap((p) => p.steps)),
    protectedPorts: uniquePorts(plans.flatMap((p) => p.open)),
    notes: configNotes(config),
  };
}

function planDoor(door: Door, ids: ReadonlyMap<string, string>, config: Config): DoorPlan {
  const steps = door.sequence.map((s) => ({ proto: s.proto as Proto, port: s.port }));
  const seqTimeoutS = door.seqTimeoutMs / 1000;
  const maxGapS = door.knockMaxGapMs / 1000;
  const address = door.target !== undefined ? parseAddress(door.target) : undefined;
  const target = address ? { family: address.family, address: formatAddress(address) } : undefined;
  const families = ([4, 6] as const).filter((f) => (!target || target.family === f) && (door.allow.length === 0 || door.allow.some((c) => c.family === f)));
  return {
    name: door.name,
    line: door.line,
    id: ids.get(door.name)!,
    steps,
    flags: flagTest(door),
    families,
    ...(target && { target }),
    allow: door.allow,
    seqTimeoutS,
    stageWindowS: maxGapS > 0 ? Math.min(maxGapS, seqTimeoutS) : seqTimeoutS,
    startList: steps.length > 2,
    minGapS: door.knockMinGapMs / 1000,
    openTimeoutS: door.openTimeoutMs / 1000,
    cooldownS: door.cooldownMs / 1000,
    open: door.open,
    allowDuplicates: door.allowDuplicates,
    revokes: door.revokes.map((name) => ids.get(name)!),
    resets: resetMatches(door, config),
    notes: doorNotes(door),
  };
}

function uniquePorts(ports: readonly OpenPort[]): OpenPort[] {
  const seen = new Map(ports.map((p) => [`${p.proto}/${p.port}`, { proto: p.proto, port: p.port }]));
  return [...seen.values()].sort((a, b) => (a.proto === b.proto ? a.port - b.port : a.proto < b.proto ? -1 : 1));
}

function doorNotes(door: Door): string[] {
  const commands = [door.startCommand, door.startCommand6, door.stopCommand, door.stopCommand6].some((c) => c !== undefined && c !== '');
  return commands ? ['its Start_Command and Stop_Command are not run (only the daemon runs commands)'] : [];
}

function configNotes(config: Config): string[] {
  const notes = ['sources that keep failing are not banned (FailureLimit and BanTime are the daemon\'s)'];
  if (config.options.decoys.mode === 'auto') {
    notes.push('Decoys = auto (every port this host does not serve) cannot be known here: only knock ports reset an attempt, as in knockd; list decoy ports (Decoys = 1-1023:tcp, ...) to have them reset attempts too');
  }
  if (config.doors.some((d) => d.sequence.some((s) => s.proto === 'icmp' || s.payload !== undefined))) {
    notes.push('ICMP and payload steps of other doors do not reset attempts here');
  }
  return notes;
}
