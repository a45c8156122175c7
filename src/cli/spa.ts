// `portcullis spa`: an fwknop-compatible SPA client with fwknop's option
// names, and `portcullis spa decode`, which shows what a packet says. Exit
// status: 0 sent (or shown), 1 bad usage, keys, rc file, resolution, send
// failure, or a packet that does not decode.
import { readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { decodeSpa, describeSpa, randomValue } from '../spa/codec.js';
import { parseDecodeArgs, parseSpaArgs, type RcChoice } from '../spa-client/argv.js';
import { runSpa } from '../spa-client/client.js';
import { SpaClientError } from '../spa-client/errors.js';
import { parseFwknoprc, stanzaSettings } from '../spa-client/fwknoprc.js';
import { spaKeys } from '../spa-client/keys.js';
import { netTransport } from '../spa-client/net-transport.js';
import { planSpa } from '../spa-client/plan.js';
import { mergeSettings, type SpaSettings } from '../spa-client/settings.js';
import type { SpaTransport } from '../spa-client/transport.js';
import { defaultUser } from '../spa-client/user.js';
import { VERSION } from './main.js';
import { commandHelp } from './help/reference.js';
import { commandUsage } from './help/render-text.js';

// Help: src/cli/help/commands-client.ts (the parser's table must match it: reference.test.ts).
export const USAGE = commandUsage(commandHelp('spa'));
export const DECODE_USAGE = commandUsage(commandHelp('spa decode'));

export interface SpaCliDeps {
  readonly transport: SpaTransport;
  readonly now: () => number;
  readonly random: () => string;
  readonly salt?: () => Uint8Array;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly effectiveUser: () => string | undefined;
  /** The file's text, or undefined when it does not exist. */
  readonly readFile: (path: string) => string | undefined;
  /** Permission bits, or undefined. */
  readonly fileMode: (path: string) => number | undefined;
  readonly stdin: () => Promise<string>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const systemDeps = (): SpaCliDeps => ({
  transport: netTransport,
  now: () => Date.now(),
  random: randomValue,
  env: process.env,
  effectiveUser: () => userInfo().username,
  readFile: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SpaClientError('SPA_CLIENT_RC_FILE', `cannot read ${path}: ${(e as Error).message}`);
    }
  },
  fileMode: (path) => {
    try {
      return statSync(path).mode & 0o777;
    } catch {
      return undefined;
    }
  },
  stdin: async () => {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
  },
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});

export async function run(argv: string[], deps: SpaCliDeps = systemDeps()): Promise<number> {
  const decoding = argv[0] === 'decode';
  const name = decoding ? 'portcullis spa decode' : 'portcullis spa';
  try {
    return decoding ? await decode(argv.slice(1), deps) : await send(argv, deps);
  } catch (e) {
    if (!(e instanceof SpaClientError)) throw e;
    deps.err(`${name}: ${e.message}`);
    if (e.code === 'SPA_CLIENT_USAGE') deps.err(`Try 'portcullis spa --help' for more information.`);
    return 1;
  }
}

async function send(argv: string[], deps: SpaCliDeps): Promise<number> {
  if (argv.length === 0) {
    deps.err(USAGE);
    return 1;
  }
  const cmd = parseSpaArgs(argv);
  if (cmd.kind === 'help') { deps.out(USAGE); return 0; }
  if (cmd.kind === 'version') { deps.out(`portcullis ${VERSION} (fwknop client 2.6.10 compatible, FKO protocol version 3.0.0)`); return 0; }
  const settings = mergeSettings(rcSettings(cmd, deps), cmd.cli);
  const plan = planSpa(settings, { defaultUser: defaultUser(deps.env, deps.effectiveUser), test: cmd.test });
  await runSpa(plan, cmd.test, deps);
  return 0;
}

async function decode(argv: string[], deps: SpaCliDeps): Promise<number> {
  const cmd = parseDecodeArgs(argv);
  if (cmd.kind === 'help') { deps.out(DECODE_USAGE); return 0; }
  const keys = spaKeys(mergeSettings(rcSettings(cmd, deps), cmd.cli), { forEncode: false });
  const packet = (cmd.packet === '-' ? await deps.stdin() : cmd.packet).trim();
  const r = decodeSpa(packet, keys);
  if (!r.ok) {
    deps.err(`portcullis spa decode: ${r.error.code}: ${r.error.message}`);
    return 1;
  }
  for (const line of describeSpa(r.value)) deps.out(line);
  return 0;
}

/** [default] and the -n stanza of the rc file; nothing when there is no file and none was asked for. */
function rcSettings(choice: RcChoice, deps: SpaCliDeps): SpaSettings {
  if (choice.noRcFile) return {};
  const home = deps.env.HOME ?? safeHome();
  const path = choice.rcFile ?? (home ? join(home, '.fwknoprc') : undefined);
  if (path === undefined) {
    if (choice.stanza !== undefined) throw new SpaClientError('SPA_CLIENT_RC_FILE', 'no HOME to find ~/.fwknoprc in: give --rc-file PATH');
    return {};
  }
  const text = deps.readFile(path);
  if (text === undefined) {
    if (choice.stanza !== undefined || choice.rcFile !== undefined) throw new SpaClientError('SPA_CLIENT_RC_FILE', `${path} does not exist`);
    return {}; // fwknop would create a template here; portcullis leaves HOME alone
  }
  const mode = deps.fileMode(path);
  if (mode !== undefined && (mode & 0o077) !== 0) {
    deps.err(`portcullis spa: warning: ${path} is readable by others (mode ${mode.toString(8)}); it holds keys, chmod 600 it`);
  }
  return stanzaSettings(parseFwknoprc(text, path), choice.stanza);
}

function safeHome(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}
