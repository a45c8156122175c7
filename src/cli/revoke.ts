// portcullis revoke ADDRESS | --all: close grants now, before they expire.
import { revoke } from '../control/client.js';
import { addressOrAll, runControlCommand } from './control-command.js';

export function run(argv: string[]): Promise<number> {
  return runControlCommand(argv, {
    name: 'revoke',
    check: (args) => void addressOrAll(args),
    async run(args, socket) {
      const address = addressOrAll(args);
      const n = await revoke(socket, address);
      const grants = `${n} grant${n === 1 ? '' : 's'}`;
      console.log(address === undefined ? `revoked ${grants}` : n === 0 ? `revoked 0 grants: none open for ${address}` : `revoked ${grants} of ${address}`);
      return 0;
    },
  });
}
