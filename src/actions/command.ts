// Which command a door runs for a knocker, and the command text with its
// substitutions filled in. Pure: no I/O.
import { isIP } from 'node:net';
import type { Door } from '../config/model.js';
import { PortcullisError } from '../errors.js';

export class CommandError extends PortcullisError {}

export interface SelectedCommands {
  readonly start?: string;
  readonly stop?: string;
}

/**
 * knockd 0.8 fallback rules (knockd.md §1.2): IPv6 knockers use Start_Command_6
 * if it is set, else Start_Command; an explicitly empty Start_Command_6 means
 * nothing runs for IPv6. Stop_Command_6 falls back to Stop_Command on its own,
 * even when Start_Command_6 is set. A stop only exists if a non-empty start
 * does (knockd only forks when the start command is non-empty, §2.1); an empty
 * stop command is treated as none.
 */
export function selectCommands(door: Door, family: 4 | 6): SelectedCommands {
  const start = family === 6 && door.startCommand6 !== undefined ? door.startCommand6 : door.startCommand;
  if (!start) return {};
  const stop = family === 6 && door.stopCommand6 !== undefined ? door.stopCommand6 : door.stopCommand;
  return stop ? { start, stop } : { start };
}

// Only address characters: the text goes into `/bin/sh -c` unquoted, as in knockd.
const ADDRESS_CHARS = /^[0-9a-fA-F.:]+$/;

/** Checks that `ip` is a plain numeric IPv4 or IPv6 literal (no zone id, nothing a shell would interpret). */
export function validatedAddress(ip: string): string {
  if (isIP(ip) === 0 || !ADDRESS_CHARS.test(ip)) {
    throw new CommandError('COMMAND_BAD_ADDRESS', `refusing to put ${JSON.stringify(ip)} into a command: not a plain IP address`);
  }
  return ip;
}

/**
 * Replaces every `%NAME%` whose NAME is a key of `values` (exact, case-sensitive,
 * all occurrences, one pass so substituted text is never rescanned). Unknown
 * `%...%` tokens are left alone, as knockd does. The values must already be
 * validated: they reach a shell unquoted.
 */
export function substitute(template: string, values: Readonly<Record<string, string>>): string {
  const names = Object.keys(values);
  if (names.length === 0) return template;
  const pattern = new RegExp(`%(${names.map(escapeRegExp).join('|')})%`, 'g');
  return template.replace(pattern, (_match, name: string) => values[name]!);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What an SPA grant adds to a command (src/spa-server/): the first requested port, its protocol, the grant's length. */
export interface SpaCommandValues {
  readonly port: number;
  readonly proto: string;
  readonly timeoutSeconds: number;
}

/**
 * `%PORT%`, `%PROTO%` (tcp or udp) and `%TIMEOUT%` (whole seconds), each
 * checked to be a plain literal, since they reach a shell unquoted.
 */
export function spaSubstitutions(v: SpaCommandValues): Record<string, string> {
  if (!Number.isInteger(v.port) || v.port < 1 || v.port > 65535) {
    throw new CommandError('COMMAND_BAD_VALUE', `refusing to put port ${JSON.stringify(v.port)} into a command: not a port number`);
  }
  if (v.proto !== 'tcp' && v.proto !== 'udp') {
    throw new CommandError('COMMAND_BAD_VALUE', `refusing to put protocol ${JSON.stringify(v.proto)} into a command: not tcp or udp`);
  }
  if (!Number.isInteger(v.timeoutSeconds) || v.timeoutSeconds < 0 || v.timeoutSeconds > 0x7fffffff) {
    throw new CommandError('COMMAND_BAD_VALUE', `refusing to put timeout ${JSON.stringify(v.timeoutSeconds)} into a command: not a whole number of seconds`);
  }
  return { PORT: String(v.port), PROTO: v.proto, TIMEOUT: String(v.timeoutSeconds) };
}

/**
 * knockd's only substitution (knockd.md §1.3): `%IP%` → the knocker's
 * address; for an SPA grant also `%PORT%`, `%PROTO%` and `%TIMEOUT%`.
 */
export function expandCommand(template: string, ip: string, spa?: SpaCommandValues): string {
  return substitute(template, { IP: validatedAddress(ip), ...(spa && spaSubstitutions(spa)) });
}
