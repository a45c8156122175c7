// portcullis rules -c FILE --target iptables|ip6tables|nftables: print the
// config's doors as kernel rules (src/rules/), for hosts that want no daemon
// in the packet path. Prints only; loading the rules is the administrator's step.
import { iptablesRules } from '../rules/iptables-recent.js';
import { planRules, RulesRefused } from '../rules/model.js';
import { nftRules } from '../rules/nft-sets.js';
import { parseArgs, lastValue, UsageError } from './args.js';
import { commandHelp, optionSpecs } from './help/reference.js';
import { commandUsage } from './help/render-text.js';
import { configPathArg, loadConfigOrReport } from './config-file.js';

// Options and help: src/cli/help/commands-daemon.ts.
const HELP = commandHelp('rules');
export const USAGE = commandUsage(HELP);

const TARGETS = ['iptables', 'ip6tables', 'nftables'] as const;
type Target = (typeof TARGETS)[number];

/** Where the rules and the messages go; the tests collect them. */
export interface RulesOutput {
  out(text: string): void;
  err(line: string): void;
}

const STDIO: RulesOutput = { out: (text) => process.stdout.write(text), err: (line) => console.error(line) };

export async function run(argv: string[], io: RulesOutput = STDIO): Promise<number> {
  let args;
  let target: Target;
  try {
    args = parseArgs(argv, optionSpecs(HELP));
    if (args.flags.has('help')) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
    const given = lastValue(args, 'target');
    if (given === undefined) throw new UsageError('--target is required');
    const found = TARGETS.find((t) => t === given.toLowerCase());
    if (!found) throw new UsageError(`unknown target '${given}'; expected ${TARGETS.join(', ')}`);
    target = found;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`portcullis rules: ${err.message}\n${USAGE}`);
      return 1;
    }
    throw err;
  }
  const path = configPathArg(args);
  const config = loadConfigOrReport(path, (line) => io.err(line));
  if (!config) return 1;
  let plan;
  try {
    plan = planRules(config, args.values.get('door'));
  } catch (err) {
    if (!(err instanceof RulesRefused)) throw err;
    for (const m of err.problems) io.err(m);
    io.err(`${path}: no rules printed; ${err.problems.length} problem(s) for kernel rules (the daemon can still run these doors)`);
    return 1;
  }
  io.out(target === 'nftables' ? nftRules(plan) : iptablesRules(plan, target === 'iptables' ? 4 : 6));
  return 0;
}
