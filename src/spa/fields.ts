// The colon-separated SPA plaintext (fwknop.md §1.2), without the trailing
// ":digest": fko_encode_spa_data() (lib/fko_encode.c) and
// fko_decode_spa_data() (lib/fko_decode.c).
//   rand ":" b64(user) ":" ts ":" version ":" type ":" b64(msg)
//        [":" b64(nat)] [":" b64(server_auth)] [":" client_timeout]
import { b64decodePrintable, b64encode } from './base64.js';
import { SpaError, type AccessSpec, type MessageType, type SpaMessage } from './types.js';
import {
  LIMITS, accessSpecProblem, canonicalDecimal, commandProblem, isIpv4, isPort, isPrintableAscii,
  natHostProblem, parseAccessSpecs, usernameProblem, versionProblem,
} from './validate.js';

/** FKO_PROTOCOL_VERSION (lib/fko.h). */
export const FKO_PROTOCOL_VERSION = '3.0.0';

/** Types carrying a NAT field: FKO_NAT_ACCESS_MSG, the client-timeout and local variants. */
export function isNatType(t: number): boolean {
  return t === 2 || t === 4 || t === 5 || t === 6;
}

/** Types carrying a client timeout: FKO_CLIENT_TIMEOUT_ACCESS_MSG, …_NAT_…, …_LOCAL_NAT_…. */
export function isTimeoutType(t: number): boolean {
  return t === 3 || t === 4 || t === 6;
}

/** parse_msg_type(): the most fields allowed after the type field (digest already removed). */
function maxFieldsAfterType(t: number): number {
  if (t <= 1) return 2; // msg, optional server_auth
  if (t === 4 || t === 6) return 4; // msg, nat, optional server_auth, timeout
  return 3; // 2, 3, 5: msg, nat or timeout, optional server_auth
}

function bad(message: string): SpaError {
  return new SpaError('SPA_BAD_FIELDS', message);
}

/** The raw message string: `ip,proto/port[,…]`, or `ip,command` for type 0. */
export function messageString(m: SpaMessage): string {
  if (m.type === 0) return `${m.allowIp},${m.command ?? ''}`;
  return `${m.allowIp},${m.access.map((a) => `${a.proto}/${a.port}`).join(',')}`;
}

/** The raw NAT string `host,port` (the client's `-N host:port` with ':' rewritten to ','). */
export function natString(nat: { readonly host: string; readonly port: number }): string {
  return `${nat.host},${nat.port}`;
}

function b64Field(name: string, raw: string): string {
  const b = b64encode(raw);
  if (b.length > LIMITS.fieldB64) throw bad(`${name} too long: its base64 is ${b.length} characters, fwknopd accepts at most ${LIMITS.fieldB64}`);
  return b;
}

function checkMessage(m: SpaMessage): void {
  if (typeof m.random !== 'string' || !/^[0-9]{16}$/.test(m.random)) throw bad('random value must be exactly 16 decimal digits');
  const up = usernameProblem(String(m.username));
  if (up) throw bad(up);
  if (!Number.isInteger(m.timestamp) || m.timestamp < 0 || m.timestamp > LIMITS.timestampMax) {
    throw bad('timestamp must be an integer in 0–2^31-1 (fwknopd parses it into a signed int)');
  }
  const vp = versionProblem(String(m.version));
  if (vp) throw bad(vp);
  if (!Number.isInteger(m.type) || m.type < 0 || m.type > 6) throw bad('message type must be 0–6');
  if (!isIpv4(String(m.allowIp))) throw bad(`allow IP ${String(m.allowIp)} is not a dotted IPv4 address`);
  if (m.type === 0) {
    if (m.access.length !== 0) throw bad('a command message (type 0) carries no access list');
    const cp = commandProblem(String(m.command ?? ''));
    if (cp) throw bad(cp);
  } else {
    if (m.command !== undefined) throw bad('only a command message (type 0) carries a command');
    if (!Array.isArray(m.access) || m.access.length === 0) throw bad('an access message needs at least one proto/port');
    for (const a of m.access) {
      const ap = accessSpecProblem(a);
      if (ap) throw bad(ap);
    }
  }
  if (isNatType(m.type)) {
    if (!m.nat) throw bad(`message type ${m.type} needs a NAT host,port`);
    const np = natHostProblem(String(m.nat.host));
    if (np) throw bad(np);
    if (!isPort(m.nat.port)) throw bad(`NAT port ${String(m.nat.port)} is not in 1–65535`);
    if (natString(m.nat).length >= LIMITS.natRaw) throw bad(`NAT access string must be shorter than ${LIMITS.natRaw} characters`);
  } else if (m.nat !== undefined) {
    throw bad(`message type ${m.type} carries no NAT field (types 2, 4, 5, 6 do)`);
  }
  if (m.serverAuth !== undefined) {
    const sa = String(m.serverAuth);
    if (sa.length === 0 || sa.length >= LIMITS.serverAuthRaw || !isPrintableAscii(sa)) {
      throw bad(`server auth must be 1–${LIMITS.serverAuthRaw - 1} printable ASCII characters`);
    }
  }
  const to = m.clientTimeout;
  if (isTimeoutType(m.type)) {
    if (to === undefined || !Number.isInteger(to) || to < 1 || to > LIMITS.clientTimeout) {
      throw bad(`message type ${m.type} needs a client timeout of 1–${LIMITS.clientTimeout} seconds`);
    }
  } else if (to !== undefined && to !== 0) {
    // fko_set_spa_client_timeout() would silently move the type to 3, 4 or 6.
    throw bad(`message type ${m.type} carries no client timeout (use type 3, 4 or 6)`);
  }
}

/** The encoded field string for a message; throws SpaError('SPA_BAD_FIELDS') for anything fwknopd would refuse. */
export function encodeFields(m: SpaMessage): string {
  checkMessage(m);
  const parts = [m.random, b64Field('username', m.username), String(m.timestamp), m.version, String(m.type), b64Field('message', messageString(m))];
  if (m.nat) parts.push(b64Field('NAT access', natString(m.nat)));
  if (m.serverAuth !== undefined) parts.push(b64Field('server auth', m.serverAuth));
  if (isTimeoutType(m.type)) parts.push(String(m.clientTimeout));
  return parts.join(':');
}

function b64Text(name: string, field: string, max: number): string {
  if (field.length < 1) throw bad(`${name} field is empty`);
  if (field.length > max) throw bad(`${name} field longer than ${max} characters`);
  const raw = b64decodePrintable(field);
  if (raw === undefined) throw bad(`${name} field is not base64 of printable text`);
  return raw;
}

/** parse_msg(): the message field, `ip,command` for type 0 else `ip,proto/port[,…]`. */
function parseMessage(type: MessageType, raw: string): { allowIp: string; access: AccessSpec[]; command?: string } {
  const comma = raw.indexOf(',');
  const allowIp = comma < 0 ? raw : raw.slice(0, comma);
  if (!isIpv4(allowIp)) throw bad('message does not start with a valid allow IP');
  const rest = comma < 0 ? '' : raw.slice(comma + 1);
  if (type === 0) {
    const cp = commandProblem(rest);
    if (cp) throw bad(cp);
    return { allowIp, access: [], command: rest };
  }
  const access = parseAccessSpecs(rest);
  if (!access) throw bad('access message is not ip,proto/port[,proto/port…] with tcp/udp and ports 1–65535');
  return { allowIp, access };
}

/** parse_nat_msg(): `host,port`. */
function parseNat(raw: string): { host: string; port: number } {
  const parts = raw.split(',');
  const port = parts.length === 2 ? canonicalDecimal(parts[1]!, 65535) : undefined;
  if (port === undefined || port < 1) throw bad('NAT access is not host,port with a port in 1–65535');
  const np = natHostProblem(parts[0]!);
  if (np) throw bad(np);
  return { host: parts[0]!, port };
}

/** The fields of an encoded string (digest removed); throws SpaError('SPA_BAD_FIELDS'). */
export function parseFields(encoded: string): SpaMessage {
  const f = encoded.split(':');
  if (f.length < 6) throw bad('fewer than 6 fields');
  const [random, userB64, ts, version, typeStr] = f as [string, string, string, string, string];
  if (!/^[0-9]{16}$/.test(random)) throw bad('random value is not 16 digits');
  const username = b64Text('username', userB64, LIMITS.usernameB64);
  const up = usernameProblem(username);
  if (up) throw bad(up);
  const timestamp = ts.length <= LIMITS.timestamp ? canonicalDecimal(ts, LIMITS.timestampMax) : undefined;
  if (timestamp === undefined) throw bad('timestamp is not a decimal below 2^31');
  const vp = versionProblem(version);
  if (vp) throw bad(vp);
  if (!/^[0-6]$/.test(typeStr)) throw bad('message type is not 0–6');
  const type = Number(typeStr) as MessageType;
  if (f.length - 5 > maxFieldsAfterType(type)) throw bad(`too many fields for message type ${type}`);
  const msg = parseMessage(type, b64Text('message', f[5]!, LIMITS.fieldB64));
  let i = 6;
  let nat: { host: string; port: number } | undefined;
  if (isNatType(type)) {
    if (f.length <= i) throw bad(`message type ${type} needs a NAT field`);
    nat = parseNat(b64Text('NAT access', f[i++]!, LIMITS.fieldB64));
  }
  const rest = f.slice(i);
  let serverAuth: string | undefined;
  let clientTimeout: number | undefined;
  if (isTimeoutType(type)) {
    // parse_server_auth(), parse_client_timeout(): [server_auth ":"] timeout
    if (rest.length === 0) throw bad(`message type ${type} needs a client timeout`);
    if (rest.length === 2) serverAuth = b64Text('server auth', rest[0]!, LIMITS.fieldB64);
    clientTimeout = canonicalDecimal(rest[rest.length - 1]!, LIMITS.clientTimeout);
    if (clientTimeout === undefined) throw bad(`client timeout is not a decimal in 0–${LIMITS.clientTimeout}`);
  } else if (rest.length === 1) {
    serverAuth = b64Text('server auth', rest[0]!, LIMITS.fieldB64);
  } else if (rest.length > 1) {
    throw bad(`too many fields for message type ${type}`);
  }
  return {
    random, username, timestamp, version, type, allowIp: msg.allowIp, access: msg.access,
    ...(msg.command !== undefined ? { command: msg.command } : {}),
    ...(nat ? { nat } : {}),
    ...(serverAuth !== undefined ? { serverAuth } : {}),
    ...(clientTimeout !== undefined ? { clientTimeout } : {}),
  };
}
