// portcullis unban ADDRESS | --all: lift bans now, before they expire (the kernel's ban elements too).
import { unban } from '../control/client.js';
import { addressOrAll, runControlCommand } from './control-command.js';

export function run(argv: string[]): Promise<number> {
  return runControlCommand(argv, {
    name: 'unban',
    check: (args) => void addressOrAll(args),
    async run(args, socket) {
      const address = addressOrAll(args);
      const n = await unban(socket, address);
      const bans = `${n} ban${n === 1 ? '' : 's'}`;
      console.log(address === undefined ? `lifted ${bans}` : n === 0 ? `lifted 0 bans: ${address} was not banned` : `lifted the ban of ${address}`);
      return 0;
    },
  });
}
