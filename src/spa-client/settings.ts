// What `portcullis spa` is asked to do, in fwknop's vocabulary, and the value
// parsers shared by the command line (argv.ts) and ~/.fwknoprc (fwknoprc.ts),
// so `-A tcp/22` and `ACCESS tcp/22` mean the same and fail the same way.
// Layers merge key by key: [default] stanza < named stanza < command line, as
// fwknop's config_init() applies them.
import type { AccessSpec, EncryptionMode, HmacDigest, InnerDigest } from '../spa/types.js';

export type Transport = 'udp' | 'tcp' | 'http';

export interface KeyText {
  /** base64 (KEY_BASE64, --key-base64-*) or the key's own characters (KEY, --key-*). */
  readonly encoding: 'base64' | 'text';
  readonly value: string;
  /** Where it came from, for error messages: `--key-base64-hmac`, `~/.fwknoprc:7 HMAC_KEY_BASE64`. */
  readonly from: string;
}

export interface NatRequest {
  readonly host: string;
  /** Absent: the port of the first -A entry (fwknop's set_nat_access()). */
  readonly port?: number;
}

export interface SpaSettings {
  readonly access?: readonly AccessSpec[];
  /** Dotted IPv4; `0.0.0.0` for -s / ALLOW_IP source. */
  readonly allowIp?: string;
  readonly server?: string;
  readonly serverPort?: number;
  readonly proto?: Transport;
  readonly digest?: InnerDigest;
  readonly hmacDigest?: HmacDigest;
  readonly key?: KeyText;
  readonly hmacKey?: KeyText;
  /** --use-hmac / USE_HMAC Y / --hmac-digest-type: an HMAC key is then required. */
  readonly useHmac?: boolean;
  readonly user?: string;
  readonly fwTimeout?: number;
  readonly nat?: NatRequest;
  readonly natLocal?: boolean;
  readonly mode?: EncryptionMode;
  /** --server-resolve-ipv4 / SERVER_RESOLVE_IPV4 Y. */
  readonly resolveIpv4?: boolean;
  /** -C / --server-cmd: a command message (type 0) instead of an access request; command line only, as in fwknop. */
  readonly command?: string;
  readonly verbose?: boolean;
}

export const DEFAULT_SERVER_PORT = 62201; // FKO_DEFAULT_PORT, common/common.h

/** A value that does not parse; the caller says where it was. */
export class ValueProblem extends Error {}

/** Later layers win, key by key. */
export function mergeSettings(...layers: readonly SpaSettings[]): SpaSettings {
  const out: Record<string, unknown> = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v;
  return out as SpaSettings;
}

const PORT_RE = /^[0-9]{1,5}$/;

export function parsePort(text: string): number {
  const n = PORT_RE.test(text) ? Number(text) : NaN;
  if (n >= 1 && n <= 65535) return n;
  throw new ValueProblem(`"${text}" is not a port; expected 1-65535`);
}

/** `tcp/22[,udp/53,…]`; fwknopd opens only tcp and udp. */
export function parseAccess(text: string): AccessSpec[] {
  const specs = text.split(',').map((part) => {
    const m = /^([A-Za-z]+)\/([^/]*)$/.exec(part.trim());
    if (!m) throw new ValueProblem(`"${part}" is not PROTO/PORT (e.g. tcp/22)`);
    const proto = m[1]!.toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') throw new ValueProblem(`"${part}": protocol must be tcp or udp`);
    const portText = m[2]!;
    let port: number;
    try {
      port = parsePort(portText);
    } catch {
      throw new ValueProblem(`"${part}": "${portText}" is not a port; expected 1-65535`);
    }
    return { proto, port } as AccessSpec;
  });
  return specs;
}

const IPV4_RE = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

export function isIpv4(text: string): boolean {
  return IPV4_RE.test(text);
}

/** The allow IP goes into the packet, and fwknop's message format is IPv4 only (lib/fko_message.c). */
export function parseAllowIp(text: string): string {
  if (isIpv4(text)) return text;
  throw new ValueProblem(`"${text}" is not an IPv4 address (the SPA message carries IPv4 only; use -s to let the server take the packet's source)`);
}

// The decoder's cap on the message field's base64 (256) leaves 192 raw bytes for `IP,command`; the IP takes up to 16 with its comma.
export const MAX_SERVER_CMD = 176;

/** -C COMMAND: printable ASCII (validate_cmd_msg() on the server, and this codec), short enough for fwknopd to decode. */
export function parseServerCmd(text: string): string {
  if (text.trim() === '') throw new ValueProblem('the command is empty');
  if (!/^[\x20-\x7e]+$/.test(text)) throw new ValueProblem('the command has a character that is not printable ASCII (tabs and newlines included)');
  if (text.length > MAX_SERVER_CMD) throw new ValueProblem(`the command is ${text.length} characters; fwknopd decodes at most ${MAX_SERVER_CMD}`);
  return text;
}

export function parseTransport(text: string): Transport {
  const t = text.toLowerCase();
  if (t === 'udp' || t === 'tcp' || t === 'http') return t;
  if (t === 'udpraw' || t === 'tcpraw' || t === 'icmp') throw new ValueProblem(`"${text}" needs raw sockets and is not supported; use udp, tcp or http`);
  throw new ValueProblem(`"${text}" is not a protocol; expected udp, tcp or http`);
}

const DIGEST_NAMES: Record<string, InnerDigest> = {
  md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
  sha3_256: 'sha3-256', sha3_512: 'sha3-512', 'sha3-256': 'sha3-256', 'sha3-512': 'sha3-512',
};

/** fwknop's names (digest_strtoint(): case-insensitive), `sha3-256` also accepted. */
export function parseDigest(text: string): InnerDigest {
  const d = DIGEST_NAMES[text.toLowerCase()];
  if (d) return d;
  throw new ValueProblem(`"${text}" is not a digest; expected md5, sha1, sha256, sha384, sha512, sha3_256 or sha3_512`);
}

/** The name fwknop prints and accepts for a digest. */
export function digestName(d: InnerDigest): string {
  return d.replace('-', '_');
}

/** fwknopd's decoder takes at most 65536 (lib/fko_decode.c); 0 means no client timeout. */
export function parseTimeout(text: string): number {
  const n = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
  if (n >= 0 && n <= 65536) return n;
  throw new ValueProblem(`"${text}" is not a timeout; expected 0-65536 seconds`);
}

/** `HOST[:PORT]` or `HOST,PORT` (fwknop's ipv4_str_has_port() turns the `:` into `,`). */
export function parseNat(text: string): NatRequest {
  const m = /^([^,:\s]+)(?:[:,]([^,:]*))?$/.exec(text);
  if (!m) throw new ValueProblem(`"${text}" is not HOST[:PORT] (the inside host fwknopd forwards to, IPv4 or a name)`);
  if (m[2] === undefined) return { host: m[1]! };
  try {
    return { host: m[1]!, port: parsePort(m[2]) };
  } catch {
    throw new ValueProblem(`"${text}": "${m[2]}" is not a port; expected 1-65535`);
  }
}

export function parseMode(text: string): EncryptionMode {
  const t = text.toLowerCase();
  if (t === 'cbc' || t === 'legacy') return t;
  throw new ValueProblem(`"${text}" is not supported; expected cbc (the default) or legacy (pre-2.5 fwknop peers)`);
}

/** fwknop copies -U into a 30-byte buffer (MAX_USERNAME_LEN): 29 characters survive. */
export const MAX_CLI_USER = 29;

export function parseUser(text: string): string {
  if (text === '') throw new ValueProblem('the user name is empty');
  return text.slice(0, MAX_CLI_USER);
}

/** fwknop's is_yes_str(): `Y` (any case) is yes, anything else is no. */
export function parseYes(text: string): boolean {
  return text.toUpperCase() === 'Y';
}

/** An IPv6 literal may come in brackets (`[fd00::1]`), as in URLs. */
export function parseServer(text: string): string {
  const bare = /^\[(.*)\]$/.exec(text)?.[1] ?? text;
  if (bare === '' || /\s/.test(bare)) throw new ValueProblem(`"${text}" is not a host name or address`);
  return bare;
}
