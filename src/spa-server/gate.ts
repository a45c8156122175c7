// The SPA gate: one datagram to an SPA port in, one outcome out — open (who,
// what, how long) or a refusal with its reason. Pure apart from the replay
// cache it keeps (time is an argument). The checks run in fwknopd's order
// (fwknop.md §2.2), cheapest first, so a flood of junk costs little:
//
//   1. size and character precheck (140–1500 bytes of base64, no restored
//      "U2FsdGVkX1" prefix, GPG refused; 400+ characters only for an
//      enable_cmd_exec door, as fwknopd's ENABLE_CMD_EXEC)    no crypto
//   2. the packet's source within some door's `source`       no crypto
//   3. replay: the packet's digest already seen              one SHA-256
//   4. per door on the port, in file order: HMAC (constant time), decrypt,
//      inner digest, fields — the first door whose keys work decides
//   5. the digest goes into the replay cache: from here on the packet is
//      burned, even if a check below refuses it (as fwknopd does)
//   6. timestamp within max_spa_packet_age of now, either way
//   7. the allow IP (require_source_address), 8. the username,
//   9. the message type: local-NAT messages are refused; a command message
//      (fwknop -C) only on a door with enable_cmd_exec = yes, split into an
//      argv (command-argv.ts) and, with cmd_allow, exactly one of its commands
//      — the outcome is `command`, run by command-exec.ts, never a shell,
//  10. every requested port within open_ports — or, for a NAT access request
//      (fwknop -N HOST:PORT -A PROTO/PORT), each (port, HOST:PORT) exactly one
//      of the door's `forward` rules: gateway access, nothing else
//
// require_source_address = yes (the default) is stricter than fwknopd, which
// only refuses 0.0.0.0 and otherwise grants the message's IP as is: here the
// message's IP must also be the packet's source, so a sniffed packet cannot be
// re-sent from elsewhere to let a third address in (and 0.0.0.0 from
// `fwknop -s` is refused). With `no`, 0.0.0.0 means the packet's source and
// any other IP is granted as written, as in fwknopd.
//
// IPv6: fwknop messages carry IPv4 only. A packet from an IPv6 source can
// therefore only be granted with require_source_address = no and `fwknop -s`
// (0.0.0.0: the packet's source, the IPv6 address); with yes it is refused.
import { cidrContains } from '../config/cidr.js';
import { formatAddress, parseAddress } from '../config/address.js';
import type { Door, ForwardRule, OpenPort } from '../config/model.js';
import { decodeSpa, precheck, replayDigest } from '../spa/codec.js';
import { MessageType, type SpaErrorCode, type SpaKeys, type SpaMessage } from '../spa/types.js';
import type { ReplayStore } from './replay-cache.js';
import { RecentAccepts } from './recent-accepts.js';
import { quoteArgv, sameArgv, splitCommand } from './command-argv.js';

/** Why a packet was refused: stable names for counters and log lines. */
export const SPA_REJECT_REASONS = [
  'too-short', 'too-long', 'not-base64', 'prefixed', 'gpg',
  'source-not-allowed', 'replay', 'repeat',
  'bad-hmac', 'decrypt-failed', 'bad-digest', 'bad-fields', 'bad-key',
  'stale', 'replay-unknown', 'source-required', 'source-mismatch', 'username',
  'command', 'command-syntax', 'command-not-allowed', 'command-busy', 'nat', 'port-not-allowed', 'forward-not-allowed',
] as const;
export type SpaRejectReason = (typeof SPA_REJECT_REASONS)[number];

const CODEC_REASONS: Readonly<Record<SpaErrorCode, SpaRejectReason>> = {
  SPA_TOO_SHORT: 'too-short',
  SPA_TOO_LONG: 'too-long',
  SPA_NOT_BASE64: 'not-base64',
  SPA_PREFIXED: 'prefixed',
  SPA_GPG: 'gpg',
  SPA_BAD_HMAC: 'bad-hmac',
  SPA_DECRYPT_FAILED: 'decrypt-failed',
  SPA_BAD_DIGEST: 'bad-digest',
  SPA_BAD_FIELDS: 'bad-fields',
  SPA_BAD_KEY: 'bad-key',
};

/** How far a door's decode got; with several doors on a port, the furthest failure is reported. */
const DECODE_RANK: Readonly<Partial<Record<SpaRejectReason, number>>> = {
  'bad-key': 0, 'bad-hmac': 1, 'decrypt-failed': 2, 'bad-digest': 3, 'bad-fields': 4,
};

export interface SpaDatagram {
  /** The UDP payload. */
  readonly payload: Uint8Array;
  /** The packet's source and its family (an IPv4-mapped IPv6 source given as IPv4). */
  readonly src: string;
  readonly family: 4 | 6;
  /** The UDP destination port. */
  readonly port: number;
  /** How it arrived; only doors receiving their port this way see it. */
  readonly via: 'pcap' | 'socket';
}

/** What an accepted SPA packet is granted (DoorActions.grantSpa). */
export interface SpaGrant {
  readonly services: readonly OpenPort[];
  /** Gateway access, for a NAT request: the door's `forward` rules asked for. */
  readonly forwards: readonly ForwardRule[];
  readonly timeoutMs: number;
}

export type GateOutcome =
  | {
    readonly kind: 'open';
    readonly door: Door;
    /** Who is let in: the message's allow IP, or the packet's source for 0.0.0.0 (require_source_address = no). */
    readonly address: string;
    readonly family: 4 | 6;
    readonly services: readonly OpenPort[];
    /** A NAT access request (fwknop -N): the door's `forward` rules it asked for. */
    readonly forwards: readonly ForwardRule[];
    readonly timeoutMs: number;
    readonly username: string;
  }
  | {
    /** A command message the door runs (enable_cmd_exec = yes): every check passed, the argv is final. */
    readonly kind: 'command';
    readonly door: Door;
    /** The message's allow IP (or the packet's source for 0.0.0.0), for the log. */
    readonly address: string;
    readonly argv: readonly string[];
    readonly username: string;
  }
  | {
    readonly kind: 'reject';
    readonly reason: SpaRejectReason;
    /** The door that decided (undefined before a door's keys were tried, or when several doors failed alike). */
    readonly door?: Door;
    /** What was wrong, for the log line (never a key or the payload). */
    readonly detail: string;
  };

interface GateDoor {
  readonly door: Door;
  readonly keys: SpaKeys;
}

export class SpaGate {
  private byPort = new Map<string, GateDoor[]>();
  private maxAgeMs = 120_000;
  /** Authenticated packets of the last seconds: their second copies are `repeat`, not `replay`. */
  private readonly recent = new RecentAccepts();

  constructor(doors: readonly Door[], maxAgeMs: number, private readonly replay: ReplayStore) {
    this.reconfigure(doors, maxAgeMs);
  }

  /** Installs a new door list (a reload). The replay cache stays. */
  reconfigure(doors: readonly Door[], maxAgeMs: number): void {
    this.maxAgeMs = maxAgeMs;
    this.byPort = new Map();
    for (const door of doors) {
      const spa = door.spa;
      if (!spa) continue;
      const key = `${spa.listen}/${spa.port}`;
      const list = this.byPort.get(key) ?? [];
      list.push({
        door,
        keys: {
          encryption: spa.key, ...(spa.hmacKey && { hmac: spa.hmacKey }), hmacDigest: spa.hmacDigest, mode: spa.encryptionMode,
          ...(spa.commandExec && { commands: true }),
        },
      });
      this.byPort.set(key, list);
    }
  }

  /** Whether a UDP packet to `port` received by `via` is the gate's (not the Doorkeeper's). */
  handles(port: number, via: 'pcap' | 'socket'): boolean {
    return this.byPort.has(`${via}/${port}`);
  }

  check(d: SpaDatagram, now: number): GateOutcome {
    const doors = this.byPort.get(`${d.via}/${d.port}`);
    if (!doors) return { kind: 'reject', reason: 'bad-fields', detail: `no SPA door on udp/${d.port}` };
    const only = doors.length === 1 ? doors[0]!.door : undefined;
    // A door running command messages takes longer packets (SpaKeys.commands); its decode checks their length.
    const pre = precheck(d.payload, doors.some((g) => g.keys.commands === true));
    if (pre) return reject(CODEC_REASONS[pre], only, precheckDetail(pre, d.payload.length));
    const allowed = doors.filter((g) => g.door.spa!.source.length === 0 || g.door.spa!.source.some((c) => cidrContains(c, d.src)));
    if (allowed.length === 0) return reject('source-not-allowed', only, `${d.src} is not within source of ${names(doors)}`);
    const digest = replayDigest(d.payload);
    if (this.replay.has(digest)) {
      const door = allowed.length === 1 ? allowed[0]!.door : undefined;
      if (this.recent.isCopy(digest, d.src, now)) return reject('repeat', door, 'a second copy of a packet from this source just authenticated (a bridge or a duplicating network)');
      return reject('replay', door, 'this exact packet was seen before');
    }

    let failure: { reason: SpaRejectReason; door: Door; detail: string } | undefined;
    let message: SpaMessage | undefined;
    let door: Door | undefined;
    for (const g of allowed) {
      const r = decodeSpa(d.payload, g.keys);
      if (r.ok) { message = r.value.message; door = g.door; break; }
      const reason = CODEC_REASONS[r.error.code];
      if (failure === undefined || (DECODE_RANK[reason] ?? -1) > (DECODE_RANK[failure.reason] ?? -1)) {
        failure = { reason, door: g.door, detail: r.error.message };
      }
    }
    if (!message || !door) {
      const f = failure!;
      return reject(f.reason, allowed.length === 1 ? f.door : undefined, allowed.length === 1 ? f.detail : `${f.detail} (no door of ${names(allowed)} could decode it)`);
    }

    // Authenticated: burned from here on, whatever the checks below say.
    const stampedAt = message.timestamp * 1000;
    this.replay.add(digest, now, stampedAt, this.maxAgeMs);
    this.recent.add(digest, d.src, now);
    return this.policy(door, message, d, now, stampedAt);
  }

  private policy(door: Door, m: SpaMessage, d: SpaDatagram, now: number, stampedAt: number): GateOutcome {
    const spa = door.spa!;
    const skew = Math.round((stampedAt - now) / 1000);
    if (Math.abs(now - stampedAt) > this.maxAgeMs) {
      return reject('stale', door, `timestamp ${Math.abs(skew)} s ${skew < 0 ? 'in the past' : 'in the future'} (max_spa_packet_age ${this.maxAgeMs / 1000} s)`);
    }
    const notBefore = this.replay.notBefore;
    if (notBefore !== undefined && stampedAt <= notBefore) {
      return reject('replay-unknown', door, 'stamped before this start, and the replay cache could not be read, so a replay cannot be ruled out');
    }

    let address: string;
    let family: 4 | 6;
    if (m.allowIp === '0.0.0.0') {
      if (spa.requireSourceAddress) return reject('source-required', door, 'the message asks for the packet\'s source (0.0.0.0, fwknop -s) but require_source_address = yes; expected the client to send its address (-a or -R)');
      address = d.src;
      family = d.family;
    } else {
      const parsed = parseAddress(m.allowIp);
      if (!parsed || parsed.family !== 4) return reject('bad-fields', door, `allow IP ${JSON.stringify(m.allowIp)} is not an IPv4 address`);
      address = formatAddress(parsed);
      family = 4;
      if (spa.requireSourceAddress && address !== d.src) {
        return reject('source-mismatch', door, `the message asks for ${address} but the packet came from ${d.src} (require_source_address = yes)`);
      }
    }
    if (spa.requireUsername !== undefined && m.username !== spa.requireUsername) {
      return reject('username', door, `username ${JSON.stringify(m.username)} is not the required one`);
    }
    if (m.type === MessageType.command) return commandOutcome(door, m, address);
    if (m.type === MessageType.localNatAccess || m.type === MessageType.clientTimeoutLocalNatAccess) {
      return reject('nat', door, `local NAT requests (message type ${m.type}, fwknop --nat-local) are not supported; expected an access request (-A) or gateway NAT (-N)`);
    }
    const isNat = m.type === MessageType.natAccess || m.type === MessageType.clientTimeoutNatAccess;
    if (isNat && door.forwards.length === 0) {
      return reject('nat', door, `NAT access requests (message type ${m.type}, fwknop -N) are not granted by this door; expected an access request (-A), or forward = on the door`);
    }
    const services: OpenPort[] = [];
    const forwards: ForwardRule[] = [];
    for (const a of m.access) {
      if (isNat) {
        const f = forwardFor(door, a, m.nat, family);
        if (typeof f === 'string') return reject('forward-not-allowed', door, f);
        if (!forwards.includes(f)) forwards.push(f);
        continue;
      }
      const allowed = (a.proto === 'tcp' || a.proto === 'udp') && spa.openPorts.some((p) => p.proto === a.proto && p.port === a.port);
      if (!allowed) return reject('port-not-allowed', door, `${a.proto}/${a.port} is not in open_ports (${spa.openPorts.map((p) => `${p.proto}/${p.port}`).join(', ') || 'none'})`);
      if (!services.some((s) => s.proto === a.proto && s.port === a.port)) services.push({ proto: a.proto as 'tcp' | 'udp', port: a.port });
    }
    if (services.length === 0 && forwards.length === 0) return reject('port-not-allowed', door, 'the message asks for no port');
    // fwknopd's set_timeout(): the client's, capped by max_fw_timeout; else fw_access_timeout.
    const asked = m.clientTimeout ?? 0;
    const timeoutMs = asked > 0 ? Math.min(asked * 1000, spa.maxTimeoutMs) : spa.accessTimeoutMs;
    return { kind: 'open', door, address, family, services, forwards, timeoutMs, username: m.username };
  }
}

/** A command message on a door that passed every other check: run, or refused with its reason. */
function commandOutcome(door: Door, m: SpaMessage, address: string): GateOutcome {
  const exec = door.spa!.commandExec;
  if (!exec) return reject('command', door, 'command messages (fwknop -C) are not run by this door (enable_cmd_exec = no)');
  const split = splitCommand(m.command ?? '');
  if (!split.ok) return reject('command-syntax', door, `command ${JSON.stringify(m.command ?? '')}: ${split.error}`);
  if (exec.allow && !exec.allow.some((a) => sameArgv(a, split.argv))) {
    return reject('command-not-allowed', door, `command ${quoteArgv(split.argv)} is not one of cmd_allow`);
  }
  return { kind: 'command', door, address, argv: split.argv, username: m.username };
}

/** The door's forward rule for one access spec of a NAT request, or why there is none. */
function forwardFor(door: Door, a: { proto: string; port: number }, nat: SpaMessage['nat'], family: 4 | 6): ForwardRule | string {
  const listed = door.forwards.map((f) => `${f.proto}/${f.port} -> ${f.family === 6 ? `[${f.host}]` : f.host}:${f.hostPort}`).join(', ');
  const inside = nat ? parseAddress(nat.host) : undefined;
  const host = inside ? formatAddress(inside) : undefined;
  const asked = `${a.proto}/${a.port} -> ${nat ? `${nat.host}:${nat.port}` : '?'}`;
  const f = door.forwards.find((r) => r.proto === a.proto && r.port === a.port && r.host === host && r.hostPort === nat?.port);
  if (!f) return `${asked} is not in forward (${listed})${nat && !inside ? '; the NAT host must be an IP address' : ''}`;
  if (f.family !== family) return `${asked} goes to an IPv${f.family} host, but the grant is for an IPv${family} address`;
  return f;
}

function reject(reason: SpaRejectReason, door: Door | undefined, detail: string): GateOutcome {
  return { kind: 'reject', reason, ...(door && { door }), detail };
}

function names(doors: readonly { door: Door }[]): string {
  return doors.map((g) => `[${g.door.name}]`).join(', ');
}

function precheckDetail(code: SpaErrorCode, length: number): string {
  switch (code) {
    case 'SPA_TOO_SHORT': return `payload of ${length} bytes, shorter than an SPA packet (140)`;
    case 'SPA_TOO_LONG': return `payload of ${length} bytes, longer than an SPA packet (1500)`;
    case 'SPA_PREFIXED': return 'payload starts with "U2FsdGVkX1": a replayed packet with its prefix restored';
    case 'SPA_NOT_BASE64': return 'payload is not base64';
    case 'SPA_GPG': return 'GPG-encrypted SPA is not supported (only Rijndael keys: key_base64/key)';
    default: return code;
  }
}
