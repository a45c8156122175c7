// A small getopt: short flags (bundled `-vD`), short options with values
// (`-c FILE`, `-cFILE`), long options (`--config FILE`, `--config=FILE`).
import { PortcullisError } from '../errors.js';
import type { CommandHelp } from './help/model.js';
import { commandHelp, optionSpecs } from './help/reference.js';
import { commandUsage } from './help/render-text.js';

export class UsageError extends PortcullisError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export interface OptionSpec {
  /** Long name without dashes. */
  readonly long: string;
  readonly short?: string;
  /** Whether the option takes a value. */
  readonly value?: boolean;
  /** Whether it may be given several times (values collected in order). */
  readonly repeat?: boolean;
}

export interface Parsed {
  readonly flags: Set<string>;
  readonly values: Map<string, string[]>;
  readonly positional: string[];
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): Parsed {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const put = (spec: OptionSpec, value: string | undefined) => {
    if (!spec.value) {
      flags.add(spec.long);
      return;
    }
    if (value === undefined) throw new UsageError(`option --${spec.long} needs a value`);
    const list = values.get(spec.long) ?? [];
    if (!spec.repeat) list.length = 0;
    list.push(value);
    values.set(spec.long, list);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
      if (spec.value) put(spec, eq >= 0 ? arg.slice(eq + 1) : argv[++i]);
      else if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      else put(spec, undefined);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      for (let j = 1; j < arg.length; j++) {
        const spec = byShort.get(arg[j]!);
        if (!spec) throw new UsageError(`unknown option -${arg[j]}`);
        if (spec.value) {
          put(spec, j + 1 < arg.length ? arg.slice(j + 1) : argv[++i]);
          break;
        }
        put(spec, undefined);
      }
      continue;
    }
    positional.push(arg);
  }
  return { flags, values, positional };
}

export function lastValue(p: Parsed, name: string): string | undefined {
  const list = p.values.get(name);
  return list?.[list.length - 1];
}

/**
 * A subcommand's options, taken from its reference entry (src/cli/help/), so
 * every option has its help; -h/--help included, positional arguments only
 * when the entry lists operands. Or its exit status when parsing already
 * finished it: 1 after a usage error (message and usage on stderr), 0 after
 * --help (usage on stdout).
 */
export function parseCommandArgs(command: string | CommandHelp, argv: readonly string[]): Parsed | number {
  const cmd = typeof command === 'string' ? commandHelp(command) : command;
  const usage = commandUsage(cmd);
  let args: Parsed;
  try {
    args = parseArgs(argv, optionSpecs(cmd));
    if (!cmd.operands?.length && args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`portcullis ${cmd.name}: ${err.message}\n${usage}`);
      return 1;
    }
    throw err;
  }
  if (args.flags.has('help')) {
    console.log(usage);
    return 0;
  }
  return args;
}
