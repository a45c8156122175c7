// portcullis doctor -c FILE [-i IF] [--json]: checks what most failed knocking
// setups get wrong (interface, capture permission, firewall backend, rules
// that shadow or bypass Portcullis's, file permissions) and says how to fix it.
import { ExecToolRunner } from '../firewall/tool.js';
import { exitStatus, formatFindings } from '../doctor/findings.js';
import { runDoctor } from '../doctor/run.js';
import { systemEnv } from '../doctor/system-env.js';
import { lastValue, parseCommandArgs } from './args.js';
import { configPathArg } from './config-file.js';

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
  const args = parseCommandArgs('doctor', USAGE, argv, [
    { long: 'config', short: 'c', value: true },
    { long: 'interface', short: 'i', value: true, repeat: true },
    { long: 'state-dir', value: true },
    { long: 'control-socket', value: true },
    { long: 'json' },
  ]);
  if (typeof args === 'number') return args;
  const stateDir = lastValue(args, 'state-dir');
  const controlSocket = lastValue(args, 'control-socket');
  const findings = await runDoctor({
    configPath: configPathArg(args),
    interfaces: args.values.get('interface') ?? [],
    ...(stateDir !== undefined && { stateDir }),
    ...(controlSocket !== undefined && { controlSocket }),
  }, systemEnv(new ExecToolRunner({ timeoutMs: 10_000 })));
  process.stdout.write(args.flags.has('json') ? `${JSON.stringify(findings, null, 2)}\n` : formatFindings(findings));
  return exitStatus(findings);
}
