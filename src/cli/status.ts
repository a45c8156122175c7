// portcullis status [--json]: what the running daemon guards and has open.
import { fetchStatus } from '../control/client.js';
import { formatStatus } from '../control/status-format.js';
import { COMMON_HELP, noPositional, runControlCommand } from './control-command.js';

const USAGE = `usage: portcullis status [--json] [-c FILE] [--control-socket PATH]
  Shows the running daemon's doors, the grants open now with their time left,
  the attempts in flight and the packet counters.
      --json                 print the report as JSON (fields: see src/control/types.ts)
${COMMON_HELP}`;

export function run(argv: string[]): Promise<number> {
  return runControlCommand(argv, {
    name: 'status',
    usage: USAGE,
    specs: [{ long: 'json' }],
    check: noPositional,
    async run(args, socket) {
      const report = await fetchStatus(socket);
      process.stdout.write(args.flags.has('json') ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      return 0;
    },
  });
}
