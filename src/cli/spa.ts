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

export const USAGE = `usage: portcullis spa -A PROTO/PORT[,...] (-a ADDRESS | -s) -D HOST [options]
       portcullis spa decode [key options] [-n NAME] PACKET|-

Sends one fwknop Single Packet Authorization packet (FKO protocol 3.0.0, as
fwknop 2.6.10: AES-256-CBC and HMAC) that an fwknopd or portcullis server
opens for. The options are fwknop's; command-line options override the -n
stanza, which overrides [default] in ~/.fwknoprc.

  -A, --access PROTO/PORT[,...]   what to open, e.g. tcp/22 or tcp/22,udp/1194
  -a, --allow-ip ADDRESS          the IPv4 address to let in (put in the packet)
  -s, --source-ip                 allow IP 0.0.0.0: the server uses the packet's source
  -D, --destination HOST          the SPA server: IPv4, IPv6 literal or name
  -p, --server-port N             default 62201
  -P, --server-proto udp|tcp|http default udp; http sends fwknop's GET request
  -f, --fw-timeout SECONDS        ask for this long (client timeout: message types 3/4/6)
  -N, --nat-access HOST[:PORT]    NAT access to an inside host (message types 2/4)
      --nat-local                 a local service via a forwarded port (types 5/6)
  -m, --digest-type T             md5 sha1 sha256 (default) sha384 sha512 sha3_256 sha3_512
      --hmac-digest-type T        the same names, default sha256
      --key-base64-rijndael KEY   the encryption key (base64), or:
      --key-rijndael PASSPHRASE
      --key-base64-hmac KEY       the HMAC key (base64), or:
      --key-hmac PASSPHRASE       (HMAC is on whenever an HMAC key is given)
      --use-hmac                  accepted; an HMAC key is then required
  -M, --encryption-mode cbc|legacy  legacy: pre-2.5 fwknop peers (no HMAC)
  -U, --spoof-user USER           the username field (default: $SPOOF_USER, $LOGNAME, you, $USER)
  -n, --named-config NAME         read stanza [NAME] of ~/.fwknoprc
      --rc-file PATH              another rc file;  --no-rc-file: none at all
      --server-resolve-ipv4       resolve -D to IPv4 only
  -v, --verbose                   print the packet's fields as fwknop -v does
  -T, --test                      build and print the packet, send nothing
  -V, --version, -h, --help

Not supported: -R/--resolve-ip-https (give -a ADDRESS or use -s), -C, GPG,
raw-socket protocols (udpraw, tcpraw, icmp), -r, --time-offset-*.

decode: --key-base64-rijndael/--key-rijndael, --key-base64-hmac/--key-hmac,
--hmac-digest-type, -M legacy, -n NAME, --rc-file; prints the fields as
fwknop -v (no age check), or the decode error and exits 1.

example:  portcullis spa -A tcp/22 -a 203.0.113.7 -D server.example -n office`;

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
  if (cmd.kind === 'help') { deps.out(USAGE); return 0; }
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
