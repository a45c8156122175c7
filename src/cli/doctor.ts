// portcullis doctor -c FILE [-i IF] [--json]: checks what most failed knocking
// setups get wrong (interface, capture permission, firewall backend, rules
// that shadow or bypass Portcullis's, file permissions) and says how to fix it.
import { ExecToolRunner } from '../firewall/tool.js';
import { exitStatus, formatFindings } from '../doctor/findings.js';
import { runDoctor } from '../doctor/run.js';
import { systemEnv } from '../doctor/system-env.js';
import { lastValue, parseCommandArgs } from './args.js';
import { configPathArg } from './config-file.js';

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs('doctor', argv); // options and help: src/cli/help/commands-daemon.ts
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
