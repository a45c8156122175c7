// From merged settings to what will be sent, without I/O: the message fields
// (all but the random value and the time), the keys, and where the packet
// goes. The message type follows fwknop's set_message_type() (client/fwknop.c):
// --nat-local → 5, -N → 2, else 1; a client timeout > 0 moves each to its
// timeout variant (6, 4, 3). -C makes a command message (0) instead, which
// carries no access list, NAT request or timeout (fwknop ignores them then too).
import { MessageType, type AccessSpec, type InnerDigest, type SpaKeys } from '../spa/types.js';
import { usage } from './errors.js';
import { spaKeys } from './keys.js';
import { DEFAULT_SERVER_PORT, isIpv4, type NatRequest, type SpaSettings, type Transport } from './settings.js';

export interface Destination {
  readonly host: string;
  readonly port: number;
  readonly proto: Transport;
  /** 4 with --server-resolve-ipv4, else whichever the resolver gives first (IPv6 servers work). */
  readonly family: 0 | 4;
}

export interface SpaPlan {
  readonly username: string;
  readonly type: MessageType;
  readonly allowIp: string;
  readonly access: readonly AccessSpec[];
  /** NAT types: the host may still be a name, resolved to IPv4 before encoding (as fwknop does). */
  readonly nat?: { readonly host: string; readonly port: number };
  readonly clientTimeout?: number;
  /** A command message (-C): the command the server runs. */
  readonly command?: string;
  readonly keys: SpaKeys;
  readonly digest: InnerDigest;
  /** Absent only in --test mode without -D. */
  readonly destination?: Destination;
  readonly verbose: boolean;
}

export interface PlanContext {
  /** The user name when neither -U nor SPOOF_USER is given (see defaultUser() in user.ts). */
  readonly defaultUser: string;
  /** --test: build and show, send nothing; -D may be missing. */
  readonly test: boolean;
}

export function planSpa(s: SpaSettings, ctx: PlanContext): SpaPlan {
  if (s.command !== undefined) return commandPlan(s, s.command, ctx);
  const access = s.access;
  if (!access || access.length === 0) throw usage('no access request: give -A PROTO/PORT[,PROTO/PORT…] (e.g. -A tcp/22), or ACCESS in the -n stanza; or -C COMMAND for a command message');
  if (s.allowIp === undefined) {
    throw usage('say which address fwknopd should let in: -a ADDRESS, or -s to let it use the packet\'s source address (-R is not supported)');
  }
  if (s.server === undefined && !ctx.test) throw usage('no SPA server: give -D HOST (or SPA_SERVER in the -n stanza)');
  const keys = spaKeys(s, { forEncode: true });
  const timeout = s.fwTimeout ?? 0;
  const nat = natRequest(s, access[0]!);
  const type = s.natLocal
    ? timeout > 0 ? MessageType.clientTimeoutLocalNatAccess : MessageType.localNatAccess
    : nat ? timeout > 0 ? MessageType.clientTimeoutNatAccess : MessageType.natAccess
    : timeout > 0 ? MessageType.clientTimeoutAccess : MessageType.access;
  const destination: Destination | undefined = s.server === undefined ? undefined : {
    host: s.server,
    port: s.serverPort ?? DEFAULT_SERVER_PORT,
    proto: s.proto ?? 'udp',
    family: s.resolveIpv4 ? 4 : 0,
  };
  return {
    username: s.user ?? ctx.defaultUser,
    type,
    allowIp: s.allowIp,
    access,
    ...(nat ? { nat } : {}),
    ...(timeout > 0 ? { clientTimeout: timeout } : {}),
    keys,
    digest: s.digest ?? 'sha256',
    ...(destination ? { destination } : {}),
    verbose: s.verbose ?? false,
  };
}

/** -C COMMAND: type 0, `ALLOW_IP,COMMAND`; -A, -N, --nat-local and -f do not apply. */
function commandPlan(s: SpaSettings, command: string, ctx: PlanContext): SpaPlan {
  if (s.allowIp === undefined) {
    throw usage('say which address the command message carries: -a ADDRESS, or -s for 0.0.0.0 (the server then takes the packet\'s source)');
  }
  if (s.server === undefined && !ctx.test) throw usage('no SPA server: give -D HOST (or SPA_SERVER in the -n stanza)');
  const destination = destinationOf(s);
  return {
    username: s.user ?? ctx.defaultUser,
    type: MessageType.command,
    allowIp: s.allowIp,
    access: [],
    command,
    keys: spaKeys(s, { forEncode: true }),
    digest: s.digest ?? 'sha256',
    ...(destination ? { destination } : {}),
    verbose: s.verbose ?? false,
  };
}

function destinationOf(s: SpaSettings): Destination | undefined {
  return s.server === undefined ? undefined : { host: s.server, port: s.serverPort ?? DEFAULT_SERVER_PORT, proto: s.proto ?? 'udp', family: s.resolveIpv4 ? 4 : 0 };
}

/** -N HOST[:PORT]; with --nat-local and no -N, the server itself (set_nat_access()). The port defaults to the first -A port. */
function natRequest(s: SpaSettings, first: AccessSpec): { host: string; port: number } | undefined {
  let req: NatRequest | undefined = s.nat;
  if (!req && s.natLocal) {
    if (s.server === undefined) throw usage('--nat-local needs -D: the packet names the server as the NAT target');
    req = { host: s.server };
  }
  if (!req) return undefined;
  if (!isIpv4(req.host) && req.host.includes(':')) {
    throw usage(`the NAT target "${req.host}" is IPv6, but fwknop's NAT field carries IPv4 (use an IPv4 address or a name with an A record)`);
  }
  return { host: req.host, port: req.port ?? first.port };
}
