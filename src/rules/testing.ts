// For the rules tests: a plan of three doors parsed from knockd.conf text,
// and the lines of a printed ruleset.
import { parseConfig } from '../config/parse.js';
import { planRules, type RulesPlan } from './model.js';

export const RULES_FILE = '/etc/knockd.conf';

// A classic three-step door with gaps, a same-port door (IPv4 only, repeats
// ignored, cooldown, revokes the first) and a one-step UDP door for an IPv6 Target.
export const RULES_CONFIG = [
  '[openSSH]',
  'sequence = 7000,8000:udp,9000',
  'seq_timeout = 10',
  'tcpflags = syn',
  'open = tcp/22',
  'knock_min_gap = 1',
  'knock_max_gap = 5',
  '',
  '[ssh22]',
  'sequence = 22,22',
  'open = tcp/22',
  'open_timeout = 60',
  'knock_max_gap = 4',
  'allow = 192.0.2.0/24',
  'allow_duplicates = yes',
  'cooldown = 5',
  'revokes = openSSH',
  '',
  '[vpn]',
  'sequence = 5555:udp',
  'open = udp/1194',
  'target = 2001:db8::1',
].join('\n');

/** The plan for `text` (default RULES_CONFIG), parsed as RULES_FILE with no include files. */
export function plan(text = RULES_CONFIG): RulesPlan {
  return planRules(parseConfig(text, RULES_FILE, { readFile: () => undefined }));
}

/** A printed ruleset's lines from the first `marker` on, without the header comments. */
export function linesFrom(script: string, marker: string): string[] {
  return script.slice(script.indexOf(marker)).trimEnd().split('\n');
}
