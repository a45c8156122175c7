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
import { commandHelp } from './help/reference.js';
import { commandUsage } from './help/render-text.js';
import { readFileSync } from 'node:fs';
import { currentSteps, decodeSecret, type SecretKnockSpec } from '../client/secret-knock.js';

// Help: src/cli/help/commands-client.ts (the parser's table must match it: reference.test.ts).
export const USAGE = commandUsage(commandHelp('knock'));

export interface KnockDeps {
  readonly io: KnockIO;
  readonly services: ServiceLookup;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** For --secret: the clock (default Date.now) and the secret file's reader (default readFileSync). */
  readonly now?: () => number;
  readonly readFile?: (path: string) => string;
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
  let steps = request.kind === 'knock' ? request.steps : [];
  if (request.kind === 'secret') {
    const derived = secretSteps(request.secret, deps);
    if (typeof derived === 'string') { deps.err(`portcullis knock: ${derived}`); return 1; }
    const ports = derived.steps.map((s) => s.port).join(',');
    if (request.secret.print) { deps.out(ports); return 0; }
    log?.(`door ${request.secret.door}, window ${derived.window}: ${ports}`);
    steps = derived.steps;
  }
  const result = await knock(request.host, steps, { ...request.options, log }, deps.io);
  if (result.error) deps.err(`portcullis knock: ${result.error.message}`);
  return result.exitCode;
}

/** The current sequence (portcullis knock --secret), or what went wrong reading the secret. */
function secretSteps(spec: SecretKnockSpec, deps: KnockDeps): ReturnType<typeof currentSteps> | string {
  let text: string;
  if (spec.secret.kind === 'text') text = spec.secret.text;
  else {
    try {
      text = (deps.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(spec.secret.path);
    } catch (e) {
      return `cannot read --secret-file ${spec.secret.path}: ${(e as Error).message}`;
    }
  }
  try {
    return currentSteps(spec, decodeSecret(text), (deps.now ?? Date.now)());
  } catch (e) {
    if (e instanceof KnockError) return e.message;
    throw e;
  }
}
