// portcullis reload: the daemon re-reads its config file, as on SIGHUP.
import { reload } from '../control/client.js';
import { noPositional, runControlCommand } from './control-command.js';

export function run(argv: string[]): Promise<number> {
  return runControlCommand(argv, {
    name: 'reload',
    check: noPositional,
    async run(_args, socket) {
      const doors = await reload(socket);
      console.log(`configuration reloaded: ${doors} door(s)`);
      return 0;
    },
  });
}
