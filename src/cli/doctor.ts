// portcullis doctor -c FILE [-i IF] [--json]: checks what most failed knocking
// setups get wrong (interface, capture permission, firewall backend, rules
// that shadow or bypass Portcullis's, file permissions) and says how to fix it.
import { resolve } from 'node:path';
import { ExecToolRunner } from '../firewall/tool.js';
import { exitStatus, formatFindings } from '../doctor/findings.js';
import { runDoctor } from '../doctor/run.js';
import { systemEnv } from '../doctor/system-env.js';
import { parseArgs, lastValue, UsageError } from './args.js';

const USAGE = `usage: portcullis doctor [-c FILE] [-i IF] [--state-dir DIR] [--control-socket PATH] [--json]
  Checks this host for what stops knocks from working: the config, the capture
  interface (exists, up, sees traffic, permission), the firewall backend, whether
  the doors' ports are closed without a grant and really open with one (other
  tables, ufw, firewalld, Docker), established connections, and who may read or
  change Portcullis's files. Each finding comes with its fix.
  -c, --config FILE        config file (default /etc/knockd.conf)
  -i, --interface IF       interface(s) serve listens on (default: as serve picks them)
      --state-dir DIR      serve's --state-dir, if it uses one
      --control-socket PATH  serve's --control-socket, if it uses one
      --json               print the findings as a JSON array
  Exits 0 when nothing is broken (warnings allowed), 1 when something is.`;

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, [
      { long: 'config', short: 'c', value: true },
      { long: 'interface', short: 'i', value: true, repeat: true },
      { long: 'state-dir', value: true },
      { long: 'control-socket', value: true },
      { long: 'json' },
      { long: 'help', short: 'h' },
    ]);
    if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`portcullis doctor: ${err.message}\n${USAGE}`);
      return 1;
    }
    throw err;
  }
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const stateDir = lastValue(args, 'state-dir');
  const controlSocket = lastValue(args, 'control-socket');
  const findings = await runDoctor({
    configPath: resolve(lastValue(args, 'config') ?? '/etc/knockd.conf'),
    interfaces: args.values.get('interface') ?? [],
    ...(stateDir !== undefined && { stateDir }),
    ...(controlSocket !== undefined && { controlSocket }),
  }, systemEnv(new ExecToolRunner({ timeoutMs: 10_000 })));
  process.stdout.write(args.flags.has('json') ? `${JSON.stringify(findings, null, 2)}\n` : formatFindings(findings));
  return exitStatus(findings);
}
