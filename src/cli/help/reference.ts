// THE ONE SOURCE of `portcullis --help`, `portcullis <command> --help`,
// portcullis(8) and portcullis.conf(5) (render-text.ts, render-man.ts). Nothing
// else writes help text, so the three cannot drift; reference.test.ts fails when
// a subcommand, an option or a config key the parsers accept is missing here.
//
// HOW TO ADD YOURS (small edits; others edit these files too):
// * A new subcommand: a CommandHelp entry in commands-daemon.ts (server side),
//   commands-control.ts (control-socket clients) or commands-client.ts, listed
//   in COMMANDS below, and its loader in main.ts SUBCOMMANDS. Its file calls
//   `parseCommandArgs('NAME', argv)` (args.ts), or parseArgs(argv,
//   optionSpecs(commandHelp('NAME'))): the parser takes its options from the
//   entry, so an option cannot exist without its help.
// * A new option: one OptionHelp in the command's `options` (long, short, arg
//   when it takes a value, repeat, help). Commands with their own parsers
//   (knock, spa, keygen) must list it in their parser table too; the test
//   compares both.
// * A new config key: its spelling(s) in OPTION_KEYS / DOOR_KEYS /
//   SPA_DOOR_KEYS (src/config/) as before, plus one ConfigKeyHelp (key, aliases,
//   value syntax, default, help, origin) in config-options.ts or config-doors.ts,
//   and (as before) a row in README.md's configuration reference: also checked.
// The entries import nothing but types: args.ts renders usage from them, and
// the parsers elsewhere import args.ts (a cycle would break module loading).
// Markup rules: model.ts. Check the man pages with
//   npm run build && node dist/src/cli/help/man-main.js /tmp/man && man -l /tmp/man/portcullis.8
import { CHECK, DOCTOR, RULES, SERVE } from './commands-daemon.js';
import { RELOAD, REVOKE, STATUS, UNBAN } from './commands-control.js';
import { KEYGEN, KNOCK, SPA, SPA_DECODE } from './commands-client.js';
import { KNOCK_DOOR_SECTION, SPA_DOOR_SECTION } from './config-doors.js';
import { OPTIONS_SECTION } from './config-options.js';
import type { CommandHelp, ConfigSection, OptionHelp } from './model.js';
import type { OptionSpec } from '../args.js';

/** package.json's version (reference.test.ts compares). */
export const VERSION = '0.1.0';

/** In the order `portcullis --help` and portcullis(8) list them. */
export const COMMANDS: readonly CommandHelp[] = [SERVE, KNOCK, SPA, SPA_DECODE, KEYGEN, CHECK, RULES, DOCTOR, STATUS, REVOKE, UNBAN, RELOAD];

export const CONFIG_SECTIONS: readonly ConfigSection[] = [OPTIONS_SECTION, KNOCK_DOOR_SECTION, SPA_DOOR_SECTION];

/** Every command also takes this; the renderers add it. */
export const HELP_OPTION: OptionHelp = { long: 'help', short: 'h', help: 'print this help' };

export function commandHelp(name: string): CommandHelp {
  const found = COMMANDS.find((c) => c.name === name);
  if (!found) throw new Error(`no help entry for command '${name}' (src/cli/help/reference.ts)`);
  return found;
}

/** The parser's view of a command's options (args.ts), --help included. */
export function optionSpecs(cmd: CommandHelp): OptionSpec[] {
  return [...cmd.options, HELP_OPTION].map((o) => ({
    long: o.long,
    ...(o.short !== undefined && { short: o.short }),
    ...(o.arg !== undefined && { value: true }),
    ...(o.repeat && { repeat: true }),
  }));
}
