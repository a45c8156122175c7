// portcullis reload: the daemon re-reads its config file, as on SIGHUP.
import { reload } from '../control/client.js';
import { COMMON_HELP, noPositional, runControlCommand } from './control-command.js';

const USAGE = `usage: portcullis reload [-c FILE] [--control-socket PATH]
  Asks the running daemon to re-read its config file, as SIGHUP does: the file
  is validated first, and if it has errors they are printed and the daemon
  keeps running with its previous configuration (exit status 1).
${COMMON_HELP}`;

export function run(argv: string[]): Promise<number> {
  return runControlCommand(argv, {
    name: 'reload',
    usage: USAGE,
    check: noPositional,
    async run(_args, socket) {
      const doors = await reload(socket);
      console.log(`configuration reloaded: ${doors} door(s)`);
      return 0;
    },
  });
}
