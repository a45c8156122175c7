// Validators for the decoded SPA fields, after libfko 2.6.10. Each returns a
// problem description, or undefined when the value is fine. Where libfko is
// lax in a way no fwknop client exploits (strtol() accepting "+22" or "22abc",
// inet_aton() reading "010.1.1.1" as octal) these accept only the canonical
// spelling, so every accepted message re-encodes to the same string.
import type { AccessSpec } from './types.js';

/** lib/fko_limits.h and lib/fko_message.h. */
export const LIMITS = {
  usernameB64: 64, // MAX_SPA_USERNAME_SIZE, checked on the b64 text by parse_username()
  usernameRaw: 48, // the longest username whose b64 fits in 64 chars
  timestamp: 12, // MAX_SPA_TIMESTAMP_SIZE
  version: 8, // MAX_SPA_VERSION_SIZE
  messageType: 2, // MAX_SPA_MESSAGE_TYPE_SIZE
  fieldB64: 256, // MAX_SPA_MESSAGE_SIZE, the cap on every b64 field in lib/fko_decode.c
  natRaw: 128, // MAX_SPA_NAT_ACCESS_SIZE (encoder: raw < 128)
  serverAuthRaw: 64, // MAX_SPA_SERVER_AUTH_SIZE (encoder: raw < 64)
  hostname: 70, // MAX_HOSTNAME_LEN (lib/fko_limits.h in 2.6.x) [unverified]
  clientTimeout: 65536, // parse_client_timeout(): strtol_wrapper(.., 0, 2 << 15, ..)
  timestampMax: 0x7fffffff, // parse_timestamp(): strtol into an int, so < 2^31
} as const;

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** A canonical unsigned decimal (no sign, spaces or leading zeros) no larger than max, or undefined. */
export function canonicalDecimal(s: string, max: number): number | undefined {
  if (s.length > 15 || !DECIMAL.test(s)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

export function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Dotted-quad IPv4 (is_valid_ipv4_addr() in common/fko_util.c: 7–15 chars, digits and 3 dots, inet_aton()). */
export function isIpv4(s: string): boolean {
  if (s.length < 7 || s.length > 15) return false;
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => p.length <= 3 && canonicalDecimal(p, 255) !== undefined);
}

/** is_valid_hostname() (common/fko_util.c): alnum labels with inner '-', each ≤ 63, a trailing '.' allowed. */
export function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 254) return false;
  const labels = (s.endsWith('.') ? s.slice(0, -1) : s).split('.');
  const ok = labels.every((l) => l.length >= 1 && l.length <= 63 && /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l));
  // "1.2.3.999" passes fwknop's hostname check but is a typo'd address, not a name.
  return ok && !/^[0-9.]+$/.test(s);
}

/** validate_username() (lib/fko_user.c): printable ASCII without `" / \ [ ] : ; | = , + * ? < >`. */
export function usernameProblem(u: string): string | undefined {
  if (u.length === 0) return 'empty username';
  if (u.length > LIMITS.usernameRaw) return `username longer than ${LIMITS.usernameRaw} characters (its base64 must fit in 64)`;
  if (!isPrintableAscii(u)) return 'username has a non-printable or non-ASCII character';
  if (/["/\\[\]:;|=,+*?<>]/.test(u)) return 'username has one of the characters " / \\ [ ] : ; | = , + * ? < >';
  return undefined;
}

/** fwknop's version field: 1–8 characters, no ':' (parse_version() only checks the length). */
export function versionProblem(v: string): string | undefined {
  if (v.length === 0 || v.length > LIMITS.version) return `version must be 1–${LIMITS.version} characters`;
  if (!isPrintableAscii(v) || v.includes(':')) return 'version must be printable ASCII without ":"';
  return undefined;
}

export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/**
 * The `proto/port[,proto/port…]` list after the allow IP (validate_access_msg(),
 * validate_proto_port_spec() in lib/fko_message.c). libfko checks the proto
 * with strncmp("tcp"|"udp"|"icmp"|"none") but then requires the '/' within
 * MAX_PROTO_STR_LEN (4) characters, so only the 3-letter tcp and udp pass;
 * have_port() wants 1–5 digits in 1–65535.
 */
export function parseAccessSpecs(s: string): AccessSpec[] | undefined {
  const out: AccessSpec[] = [];
  for (const spec of s.split(',')) {
    const m = /^(tcp|udp)\/([0-9]{1,5})$/.exec(spec);
    const port = m ? canonicalDecimal(m[2]!, 65535) : undefined;
    if (!m || port === undefined || port < 1) return undefined;
    out.push({ proto: m[1] as 'tcp' | 'udp', port });
  }
  return out;
}

export function accessSpecProblem(a: AccessSpec): string | undefined {
  if (a.proto !== 'tcp' && a.proto !== 'udp') return `protocol ${String(a.proto)} is refused by libfko and fwknopd (tcp and udp only)`;
  if (!isPort(a.port)) return `port ${String(a.port)} is not in 1–65535`;
  return undefined;
}

/** validate_nat_access_msg() (lib/fko_message.c): `host,port`, one comma, host IPv4 or a hostname. */
export function natHostProblem(host: string): string | undefined {
  if (host.length === 0 || host.length > LIMITS.hostname) return `NAT host must be 1–${LIMITS.hostname} characters`;
  if (!isIpv4(host) && !isHostname(host)) return 'NAT host is neither a dotted IPv4 address nor a hostname';
  return undefined;
}

/** A command message's command (validate_cmd_msg(): anything after the allow IP and ','); printable ASCII here. */
export function commandProblem(cmd: string): string | undefined {
  if (cmd.length === 0) return 'empty command';
  if (!isPrintableAscii(cmd)) return 'command has a non-printable or non-ASCII character';
  return undefined;
}
