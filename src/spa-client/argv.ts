// The command lines of `portcullis spa` and `portcullis spa decode`, with the
// fwknop client's option names (client/cmd_opts.h) for what portcullis does,
// and a clear refusal for what it does not (-R, GPG, raw sockets…).
import { parseArgs, UsageError, type OptionSpec, type Parsed } from '../cli/args.js';
import { usage } from './errors.js';
import {
  parseAccess, parseAllowIp, parseDigest, parseMode, parseNat, parsePort, parseServer, parseServerCmd, parseTimeout, parseTransport, parseUser,
  ValueProblem, type KeyText, type SpaSettings,
} from './settings.js';

export interface RcChoice {
  /** -n NAME. */
  readonly stanza?: string;
  /** --rc-file PATH (default ~/.fwknoprc). */
  readonly rcFile?: string;
  /** --no-rc-file: not even [default] is read. */
  readonly noRcFile: boolean;
}

export type SpaCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | ({ readonly kind: 'send'; readonly cli: SpaSettings; readonly test: boolean } & RcChoice);

export type DecodeCommand = { readonly kind: 'help' } | ({ readonly kind: 'decode'; readonly cli: SpaSettings; readonly packet: string } & RcChoice);

/** Exported for src/cli/help/reference.test.ts (every option has its help). */
export const KEY_OPTIONS: OptionSpec[] = [
  { long: 'key-base64-rijndael', value: true },
  { long: 'key-rijndael', value: true },
  { long: 'key-base64-hmac', value: true },
  { long: 'key-hmac', value: true },
  { long: 'hmac-digest-type', value: true },
  { long: 'encryption-mode', short: 'M', value: true },
  { long: 'named-config', short: 'n', value: true },
  { long: 'rc-file', value: true },
  { long: 'no-rc-file' },
  { long: 'help', short: 'h' },
];

export const SEND_OPTIONS: OptionSpec[] = [
  ...KEY_OPTIONS,
  { long: 'access', short: 'A', value: true },
  { long: 'allow-ip', short: 'a', value: true },
  { long: 'source-ip', short: 's' },
  { long: 'destination', short: 'D', value: true },
  { long: 'server-port', short: 'p', value: true },
  { long: 'server-proto', short: 'P', value: true },
  { long: 'fw-timeout', short: 'f', value: true },
  { long: 'nat-access', short: 'N', value: true },
  { long: 'nat-local' },
  { long: 'server-cmd', short: 'C', value: true },
  { long: 'digest-type', short: 'm', value: true },
  { long: 'use-hmac' },
  { long: 'spoof-user', short: 'U', value: true },
  { long: 'server-resolve-ipv4' },
  { long: 'verbose', short: 'v' },
  { long: 'test', short: 'T' },
  { long: 'version', short: 'V' },
  // fwknop options portcullis refuses by name rather than as unknown.
  { long: 'resolve-ip-https', short: 'R' },
  { long: 'gpg-encryption', short: 'g' },
  { long: 'rand-port', short: 'r' },
  { long: 'key-gen', short: 'k' },
];

const REFUSED: Record<string, string> = {
  'resolve-ip-https': '-R (fetching the external address from a web service) is not supported: give it with -a ADDRESS, or use -s',
  'gpg-encryption': 'GPG encryption is not supported; use Rijndael keys (portcullis keygen)',
  'rand-port': '-r (random destination port) is not supported; use -p PORT',
  'key-gen': 'key generation is `portcullis keygen`',
};

function parse(argv: readonly string[], specs: readonly OptionSpec[]): Parsed {
  try {
    return parseArgs(argv, specs);
  } catch (e) {
    if (e instanceof UsageError) throw usage(e.message);
    throw e;
  }
}

/** Runs a value parser and names the option in its complaint. */
function option<T>(p: Parsed, name: string, parser: (text: string) => T): T | undefined {
  const list = p.values.get(name);
  const text = list?.[list.length - 1];
  if (text === undefined) return undefined;
  try {
    return parser(text);
  } catch (e) {
    if (e instanceof ValueProblem) throw usage(`--${name}: ${e.message}`);
    throw e;
  }
}

function keyText(p: Parsed, base64Name: string, textName: string): KeyText | undefined {
  const b64 = option(p, base64Name, (v) => v);
  const text = option(p, textName, (v) => v);
  if (b64 !== undefined && text !== undefined) throw usage(`give --${base64Name} or --${textName}, not both`);
  if (b64 !== undefined) return { encoding: 'base64', value: b64, from: `--${base64Name}` };
  if (text !== undefined) return { encoding: 'text', value: text, from: `--${textName}` };
  return undefined;
}

function rcChoice(p: Parsed): RcChoice {
  const stanza = option(p, 'named-config', (v) => v);
  const rcFile = option(p, 'rc-file', (v) => v);
  const noRcFile = p.flags.has('no-rc-file');
  if (noRcFile && (stanza !== undefined || rcFile !== undefined)) throw usage('--no-rc-file cannot be combined with -n or --rc-file');
  return { ...(stanza !== undefined ? { stanza } : {}), ...(rcFile !== undefined ? { rcFile } : {}), noRcFile };
}

function keySettings(p: Parsed): SpaSettings {
  const hmacDigest = option(p, 'hmac-digest-type', parseDigest);
  return {
    key: keyText(p, 'key-base64-rijndael', 'key-rijndael'),
    hmacKey: keyText(p, 'key-base64-hmac', 'key-hmac'),
    hmacDigest,
    mode: option(p, 'encryption-mode', parseMode),
  };
}

export function parseSpaArgs(argv: readonly string[]): SpaCommand {
  const p = parse(argv, SEND_OPTIONS);
  if (p.flags.has('help')) return { kind: 'help' };
  if (p.flags.has('version')) return { kind: 'version' };
  for (const [name, why] of Object.entries(REFUSED)) if (p.flags.has(name) || p.values.has(name)) throw usage(why);
  if (p.positional.length > 0) throw usage(`unexpected argument '${p.positional[0]}' (fwknop takes none; the server is -D HOST)`);
  const allowIp = option(p, 'allow-ip', parseAllowIp);
  if (allowIp !== undefined && p.flags.has('source-ip')) throw usage('give -a ADDRESS or -s, not both');
  const cli: SpaSettings = {
    ...keySettings(p),
    access: option(p, 'access', parseAccess),
    allowIp: p.flags.has('source-ip') ? '0.0.0.0' : allowIp,
    server: option(p, 'destination', parseServer),
    serverPort: option(p, 'server-port', parsePort),
    proto: option(p, 'server-proto', parseTransport),
    fwTimeout: option(p, 'fw-timeout', parseTimeout),
    nat: option(p, 'nat-access', parseNat),
    natLocal: p.flags.has('nat-local') || undefined,
    command: option(p, 'server-cmd', parseServerCmd),
    digest: option(p, 'digest-type', parseDigest),
    // As in fwknop's config_init(), --hmac-digest-type also means --use-hmac.
    useHmac: p.flags.has('use-hmac') || p.values.has('hmac-digest-type') || undefined,
    user: option(p, 'spoof-user', parseUser),
    resolveIpv4: p.flags.has('server-resolve-ipv4') || undefined,
    verbose: p.flags.has('verbose') || undefined,
  };
  return { kind: 'send', cli, test: p.flags.has('test'), ...rcChoice(p) };
}

export function parseDecodeArgs(argv: readonly string[]): DecodeCommand {
  const p = parse(argv, KEY_OPTIONS);
  if (p.flags.has('help')) return { kind: 'help' };
  if (p.positional.length !== 1) throw usage(p.positional.length === 0 ? 'expected the PACKET to decode (or - to read it from stdin)' : `expected one PACKET, got ${p.positional.length} arguments`);
  return { kind: 'decode', cli: keySettings(p), packet: p.positional[0]!, ...rcChoice(p) };
}
