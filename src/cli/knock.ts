// `portcullis knock`: a drop-in for knock(1). Same flags and step syntax, plus
// ICMP and payload steps, --verify, and an exit status that means something:
// 0 sent (and open, with --verify), 1 bad usage / unresolvable host / send
// failure, 3 --verify found the port still closed.
import { parseKnockArgs, type KnockRequest } from '../client/argv.js';
import { KnockError } from '../client/errors.js';
import { knock, type KnockIO } from '../client/knock.js';
import { netIO } from '../client/net-io.js';
import { systemServices, type ServiceLookup } from '../client/services.js';
import { VERSION } from './main.js';

export const USAGE = `usage: portcullis knock [options] HOST STEP [STEP ...]

Sends one knock per STEP, in order, to HOST (resolved once).

steps:
  PORT[:tcp|:udp]              TCP (default) or UDP port; a service name works too (ssh, http:udp)
  PORT:udp:payload=TEXT        UDP datagram carrying TEXT (UTF-8, or 0x... for hex)
  icmp[:payload=TEXT]          ICMP echo request (sent with the system ping; payload at most 16 bytes)

options:
  -u, --udp                    make every port step UDP (default is TCP)
  -d, --delay MS               wait MS milliseconds after each hit
  -4, --ipv4                   use IPv4 only
  -6, --ipv6                   use IPv6 only
  -v, --verbose                print each hit
      --verify PORT            afterwards, check that TCP PORT accepts a connection;
                               if not, knock once more and check again
      --verify-timeout MS      how long each check may take (default 3000)
  -V, --version                print the version
  -h, --help                   print this help

exit status: 0 sent (and PORT open, with --verify), 1 error, 3 PORT still closed

example:  portcullis knock -v server.example.com 7000 8000:udp 9000 --verify 22`;

export interface KnockDeps {
  readonly io: KnockIO;
  readonly services: ServiceLookup;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const systemDeps = (): KnockDeps => ({
  io: netIO,
  services: systemServices(),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});

export async function run(argv: string[], deps: KnockDeps = systemDeps()): Promise<number> {
  if (argv.length === 0) { deps.err(USAGE); return 1; } // as knock: bare command → usage, exit 1
  let request: KnockRequest;
  try {
    request = parseKnockArgs(argv, deps.services);
  } catch (e) {
    if (!(e instanceof KnockError)) throw e;
    deps.err(`portcullis knock: ${e.message}`);
    if (e.code === 'KNOCK_USAGE') deps.err(`Try 'portcullis knock --help' for more information.`);
    return 1;
  }
  if (request.kind === 'help') { deps.out(USAGE); return 0; }
  if (request.kind === 'version') { deps.out(`portcullis ${VERSION}`); return 0; }

  const log = request.verbose ? deps.out : undefined;
  const result = await knock(request.host, request.steps, { ...request.options, log }, deps.io);
  if (result.error) deps.err(`portcullis knock: ${result.error.message}`);
  return result.exitCode;
}
