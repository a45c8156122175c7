// What `portcullis status`, `revoke` and `reload` share: their common
// options, finding the daemon's control socket, and printing its errors.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ControlError } from '../control/errors.js';
import { controlSocketFromConfig, resolveControlSocket } from '../control/socket-path.js';
import { parseArgs, lastValue, UsageError, type Parsed } from './args.js';
import { formatAddress, parseAddress } from '../config/address.js';
import { DEFAULT_CONFIG } from './help/commands-daemon.js';
import { commandHelp, optionSpecs } from './help/reference.js';
import { commandUsage } from './help/render-text.js';

/** Options and help come from the command's entry in src/cli/help/commands-control.ts. */
export interface ControlCommand {
  readonly name: string;
  /** Throws UsageError for bad arguments, before anything is sent. */
  check?(args: Parsed): void;
  /** Talks to the daemon on `socket`; resolves with the exit status, or throws ControlError. */
  run(args: Parsed, socket: string): Promise<number>;
}

export async function runControlCommand(argv: readonly string[], cmd: ControlCommand): Promise<number> {
  const prefix = `portcullis ${cmd.name}`;
  const help = commandHelp(cmd.name);
  const usage = commandUsage(help);
  let args: Parsed;
  try {
    args = parseArgs(argv, optionSpecs(help));
    if (!args.flags.has('help')) cmd.check?.(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${prefix}: ${err.message}\n${usage}`);
      return 1;
    }
    throw err;
  }
  if (args.flags.has('help')) {
    console.log(usage);
    return 0;
  }
  try {
    return await cmd.run(args, socketFor(args));
  } catch (err) {
    if (!(err instanceof ControlError)) throw err;
    for (const line of err.details) console.error(line);
    console.error(`${prefix}: ${err.message}`);
    return 1;
  }
}

/** --control-socket, else ControlSocket of -c FILE (or of the default config, if it is there), else the default. */
export function socketFor(args: Parsed): string {
  const cli = lastValue(args, 'control-socket');
  if (cli) return cli;
  const given = lastValue(args, 'config');
  const path = resolve(given ?? DEFAULT_CONFIG);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (given !== undefined) throw new ControlError('CONTROL_NO_CONFIG', `cannot read ${path}: ${(err as Error).message}`);
  }
  return resolveControlSocket(undefined, text === undefined ? undefined : controlSocketFromConfig(text));
}

/** Fails on positional arguments for commands that take none. */
export function noPositional(args: Parsed): void {
  if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
}

/** `ADDRESS | --all` (revoke, unban): the canonical address, or undefined for --all. */
export function addressOrAll(args: Parsed): string | undefined {
  const all = args.flags.has('all');
  if (all && args.positional.length > 0) throw new UsageError('give an ADDRESS or --all, not both');
  if (all) return undefined;
  if (args.positional.length !== 1) throw new UsageError(args.positional.length === 0 ? 'missing ADDRESS (or --all)' : `unexpected argument '${args.positional[1]}'`);
  const text = args.positional[0]!;
  const address = parseAddress(text);
  if (!address) throw new UsageError(`"${text}" is not an IP address; expected e.g. 192.0.2.7 or 2001:db8::7`);
  return formatAddress(address);
}
