// An SPA door's command-message keys (enable_cmd_exec and cmd_*): their values
// and the checks among them. Pure: names are checked for form here and
// resolved to ids at daemon start (src/spa-server/command-identity.ts);
// cmd_allow is split by the same rules as the commands it is compared with
// (src/spa-server/command-argv.ts).
import type { SpaCommandExec, SpaDoor } from './model.js';
import { InvalidValueError } from './errors.js';
import type { Origin, Problems } from './problems.js';
import { parseSeconds, parseYesNo } from './values.js';
import { quoteArgv, splitCommand } from '../spa-server/command-argv.js';

// POSIX portable user names (plus a trailing $ for Samba machine accounts), or a numeric id.
const NAME = /^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?|[0-9]{1,10})$/;

/** `cmd_exec_user` / `cmd_exec_group`: a user or group name (or number) as /etc/passwd and /etc/group have it. */
export function parseExecName(text: string, what: 'user' | 'group'): string {
  const value = text.trim();
  if (!NAME.test(value)) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `"${value}" is not a ${what} name; expected a ${what} of this host (letters, digits, _ . -; e.g. nobody)`);
  }
  return value;
}

/** `cmd_allow = COMMAND`: one exact command, as an argv. */
export function parseCmdAllow(text: string): string[] {
  const r = splitCommand(text.trim());
  if (!r.ok) throw new InvalidValueError('CONFIG_BAD_VALUE', `cannot be split into a command: ${r.error}; expected one command as a client sends it with fwknop -C (no shell syntax)`);
  return [...r.argv];
}

/** `cmd_exec_max_running`: 1 to 64. */
export function parseCmdMaxRunning(text: string): number {
  const value = text.trim();
  const n = Number(value);
  if (!/^[0-9]{1,3}$/.test(value) || n < 1 || n > 64) {
    throw new InvalidValueError('CONFIG_BAD_NUMBER', `"${value}" is out of range; expected a whole number of commands from 1 to 64`);
  }
  return n;
}

export type CommandKey = 'enable_cmd_exec' | 'cmd_exec_user' | 'cmd_exec_group' | 'cmd_allow' | 'cmd_exec_timeout' | 'cmd_exec_max_running';

/** The command-message keys of one SPA door as they are read (spa-door.ts SpaDraft holds one). */
export class CommandDraft {
  enabled = false;
  private enabledAt?: Origin;
  private user?: string;
  private userAt?: Origin;
  private group?: string;
  private groupAt?: Origin;
  private allow?: string[][];
  private allowAt?: Origin;
  private timeoutMs = 30_000;
  private timeoutAt?: Origin;
  private maxRunning = 4;
  private maxRunningAt?: Origin;

  /** One key line; false if its value did not parse (the error is reported). */
  apply(key: CommandKey, value: string, at: Origin, problems: Problems): boolean {
    const v = <T>(parse: () => T, set: (x: T) => void): boolean => {
      const x = problems.value(at, parse);
      if (x === undefined) return false;
      set(x);
      return true;
    };
    switch (key) {
      case 'enable_cmd_exec': this.enabledAt = at; return v(() => parseYesNo(value), (x) => { this.enabled = x; });
      case 'cmd_exec_user': this.userAt = at; return v(() => parseExecName(value, 'user'), (x) => { this.user = x; });
      case 'cmd_exec_group': this.groupAt = at; return v(() => parseExecName(value, 'group'), (x) => { this.group = x; });
      // One exact command a line; the lines add up.
      case 'cmd_allow': this.allowAt ??= at; return v(() => parseCmdAllow(value), (x) => { (this.allow ??= []).push(x); });
      case 'cmd_exec_timeout': this.timeoutAt = at; return v(() => parseSeconds(value, 1), (x) => { this.timeoutMs = x; });
      case 'cmd_exec_max_running': this.maxRunningAt = at; return v(() => parseCmdMaxRunning(value), (x) => { this.maxRunning = x; });
    }
  }

  /** A named user when commands run (root only when written), and no cmd_* key when they do not. */
  check(door: string, problems: Problems): void {
    if (this.enabled) {
      if (!this.userAt) {
        problems.atKey('CONFIG_BAD_VALUE', this.enabledAt!,
          `[${door}] would run command messages as root (fwknopd's default); expected cmd_exec_user = USER (an account with no more rights than the commands need), or cmd_exec_user = root to run them as root on purpose`);
      }
      return;
    }
    for (const at of [this.userAt, this.groupAt, this.allowAt, this.timeoutAt, this.maxRunningAt]) {
      if (at) problems.atKey('CONFIG_CONFLICT', at, `[${door}] does not run command messages; expected enable_cmd_exec = yes too, or no ${at.key}`);
    }
  }

  build(): SpaCommandExec | undefined {
    if (!this.enabled || this.user === undefined) return undefined;
    return {
      user: this.user, userLine: this.userAt!.line,
      ...(this.group !== undefined && { group: this.group, groupLine: this.groupAt!.line }),
      ...(this.allow !== undefined && { allow: this.allow }),
      timeoutMs: this.timeoutMs,
      maxRunning: this.maxRunning,
    };
  }
}

/** The `portcullis check` row for command messages. */
export function describeCommandExec(s: SpaDoor): string {
  const c = s.commandExec;
  if (!c) return 'refused (enable_cmd_exec = no)';
  const who = `as ${c.user}${c.group !== undefined ? `:${c.group}` : ''}`;
  const what = c.allow ? `only ${c.allow.map((a) => quoteArgv(a)).join(' | ')}` : 'any command';
  return `run ${who}, ${what}, killed after ${c.timeoutMs / 1000} s, at most ${c.maxRunning} at once`;
}
