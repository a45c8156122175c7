// portcullis status [--json]: what the running daemon guards and has open.
import { fetchStatus } from '../control/client.js';
import { formatStatus } from '../control/status-format.js';
import { noPositional, runControlCommand } from './control-command.js';

export function run(argv: string[]): Promise<number> {
  return runControlCommand(argv, {
    name: 'status',
    check: noPositional,
    async run(args, socket) {
      const report = await fetchStatus(socket);
      process.stdout.write(args.flags.has('json') ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      return 0;
    },
  });
}
