// portcullis revoke ADDRESS | --all: close grants now, before they expire.
import { formatAddress, parseAddress } from '../config/address.js';
import { revoke } from '../control/client.js';
import { UsageError, type Parsed } from './args.js';
import { runControlCommand } from './control-command.js';

/** The canonical address, or undefined for --all. */
function target(args: Parsed): string | undefined {
  const all = args.flags.has('all');
  if (all && args.positional.length > 0) throw new UsageError('give an ADDRESS or --all, not both');
  if (all) return undefined;
  if (args.positional.length !== 1) throw new UsageError(args.positional.length === 0 ? 'missing ADDRESS (or --all)' : `unexpected argument '${args.positional[1]}'`);
  const text = args.positional[0]!;
  const address = parseAddress(text);
  if (!address) throw new UsageError(`"${text}" is not an IP address; expected e.g. 192.0.2.7 or 2001:db8::7`);
  return formatAddress(address);
}

export function run(argv: string[]): Promise<number> {
  return runControlCommand(argv, {
    name: 'revoke',
    check: (args) => void target(args),
    async run(args, socket) {
      const address = target(args);
      const n = await revoke(socket, address);
      const grants = `${n} grant${n === 1 ? '' : 's'}`;
      console.log(address === undefined ? `revoked ${grants}` : n === 0 ? `revoked 0 grants: none open for ${address}` : `revoked ${grants} of ${address}`);
      return 0;
    },
  });
}
