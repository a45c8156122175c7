// The validated configuration: what the parser produces and everything else
// consumes. Nothing here does I/O; durations are milliseconds.
import type { HostPort, SyslogRemote } from './observability-values.js';

export type Protocol = 'tcp' | 'udp' | 'icmp';
export type TcpFlag = 'fin' | 'syn' | 'rst' | 'psh' | 'ack' | 'urg';

/** TCP header flag bits (RFC 9293 §3.1). */
export const TCP_FLAG_BITS: Readonly<Record<TcpFlag, number>> = {
  fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10, urg: 0x20,
};

/** One knock: a TCP or UDP destination port, or an ICMP echo request (port 0). */
export interface Step {
  readonly proto: Protocol;
  readonly port: number;
  /** Bytes the UDP datagram or ICMP echo data must contain. */
  readonly payload?: Uint8Array;
}

/** A TCPFlags entry: `syn` means the flag must be set, `!ack` that it must be clear. */
export interface TcpFlagRule {
  readonly flag: TcpFlag;
  readonly set: boolean;
}

/** An IPv4 or IPv6 network, e.g. 203.0.113.0/24. */
export interface Cidr {
  readonly family: 4 | 6;
  /** Network address as a big-endian byte array (4 or 16 bytes). */
  readonly bytes: Uint8Array;
  readonly prefix: number;
  readonly text: string;
}

export interface Door {
  readonly name: string;
  /** 1-based line of the `[name]` header, for messages. */
  readonly line: number;
  /** The active sequence (for one-time doors: the first unused line of the file). */
  readonly sequence: readonly Step[];
  /** Path of the One_Time_Sequences file, if the door uses one. */
  readonly oneTimeSequences?: string;
  readonly seqTimeoutMs: number;
  /** `knock_min_gap`: a next knock sooner than this after the previous one fails the attempt. 0 = none. */
  readonly knockMinGapMs: number;
  /** `knock_max_gap`: a next knock later than this after the previous one times the attempt out. 0 = none. */
  readonly knockMaxGapMs: number;
  readonly cmdTimeoutMs: number;
  /** undefined = not set. For the _6 variants an empty string means "do nothing for IPv6". */
  readonly startCommand?: string;
  readonly startCommand6?: string;
  readonly stopCommand?: string;
  readonly stopCommand6?: string;
  readonly tcpFlags: readonly TcpFlagRule[];
  /** Required destination address instead of the interface addresses (knockd `Target`). */
  readonly target?: string;
  /** Source allowlist; empty means any source. */
  readonly allow: readonly Cidr[];
  /** Ignore a repeat of the knock just matched instead of failing the attempt. */
  readonly allowDuplicates: boolean;
  /** After a successful open, ignore this source on this door for this long. */
  readonly cooldownMs: number;
  /** Ports a firewall backend opens for the knocker (`open = tcp/22, udp/1194`). */
  readonly open: readonly OpenPort[];
  /** Gateway access to inside hosts (`forward = tcp/13389 -> 10.0.0.5:3389`). */
  readonly forwards: readonly ForwardRule[];
  /** How long a firewall grant lasts; a repeat knock extends it. */
  readonly openTimeoutMs: number;
  /** Doors whose grant for the knocker this door closes (`revokes = openSSH`). */
  readonly revokes: readonly string[];
  /**
   * SPA (fwknop-compatible Single Packet Authorization, spa-door.ts): set on a
   * door with `key_base64`/`key` and no sequence. Such a door has an empty
   * `sequence` (the Doorkeeper never sees it); its `open` is its `open_ports`
   * when it grants through a firewall backend (no Start_Command), so the
   * backend protects those ports like any `open =`, else empty.
   */
  readonly spa?: SpaDoor;
  /**
   * `sequence_secret` (secret-sequence.ts): the knock ports are derived from
   * the secret and the time window (src/door/secret-sequence.ts); `sequence`
   * is empty in the config. The daemon hands the Doorkeeper one copy of the
   * door per accepted window, with that window's `sequence` and `secretWindow`.
   */
  readonly sequenceSecret?: SecretSequence;
  /** On such a per-window copy: the window index its sequence belongs to. */
  readonly secretWindow?: number;
}

/** A door whose ports come from an HMAC of a secret and the time (`sequence_secret = BASE64`). */
export interface SecretSequence {
  /** The decoded secret, 16–128 bytes. */
  readonly secret: Uint8Array;
  /** `sequence_length`: ports per sequence (default 3). */
  readonly length: number;
  /** `sequence_window`: seconds one sequence is current (default 30). */
  readonly windowSeconds: number;
  /** `sequence_ports`: the range ports are drawn from (default 1024-32767). */
  readonly ports: PortRange;
  /** `sequence_protocol` (default tcp). */
  readonly proto: 'tcp' | 'udp';
}

/** fwknop's digest names (`hmac_digest_type = sha3_256` is `sha3-256` here, as in src/spa/types.ts). */
export type SpaDigest = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-512';

/** An SPA door: what fwknopd's access.conf stanza says, under its lower-case names. */
export interface SpaDoor {
  /** `spa_port`: the UDP port SPA packets go to (default 62201). */
  readonly port: number;
  /** `spa_listen`: `pcap` (default: captured, nothing listens, the host stays silent) or `socket` (a bound UDP socket). */
  readonly listen: 'pcap' | 'socket';
  /** The Rijndael key bytes (`key_base64` decoded, or the bytes of `key`), 1–32. */
  readonly key: Uint8Array;
  /** The HMAC key bytes (`hmac_key_base64` / `hmac_key`); undefined: packets carry no HMAC. */
  readonly hmacKey?: Uint8Array;
  readonly hmacDigest: SpaDigest;
  readonly encryptionMode: 'cbc' | 'legacy';
  /** `open_ports`: what a client may ask for; every requested port must be here. */
  readonly openPorts: readonly OpenPort[];
  /** `source`: packet sources allowed; empty = any. */
  readonly source: readonly Cidr[];
  /** `require_username`: the message's username must be exactly this. */
  readonly requireUsername?: string;
  /** `require_source_address` (default yes): the message's allow IP must be the packet's source. */
  readonly requireSourceAddress: boolean;
  /** `fw_access_timeout` (default 30 s): the grant's length when the client asks for none. */
  readonly accessTimeoutMs: number;
  /** `max_fw_timeout` (default 300 s): cap on the length a client asks for (`fwknop -f`). */
  readonly maxTimeoutMs: number;
  /** `enable_cmd_exec = yes`: command messages (fwknop -C) are run as below; undefined: refused. */
  readonly commandExec?: SpaCommandExec;
}

/** How an SPA door runs command messages (src/spa-server/command-exec.ts); names are resolved at start. */
export interface SpaCommandExec {
  /** `cmd_exec_user` (required; `root` only when written) and its line. */
  readonly user: string;
  readonly userLine: number;
  /** `cmd_exec_group`; undefined: the user's primary group. */
  readonly group?: string;
  readonly groupLine?: number;
  /** `cmd_allow` lines as argvs: a command runs only if it is exactly one of them; undefined: any command. */
  readonly allow?: readonly (readonly string[])[];
  /** `cmd_exec_timeout` (default 30 s): the command is killed after this. */
  readonly timeoutMs: number;
  /** `cmd_exec_max_running` (default 4): commands of the door running at once; more are refused. */
  readonly maxRunning: number;
}

/** A port a door opens through a firewall backend. */
export interface OpenPort {
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
}

/** The knocker's packets to `proto/port` on the gateway go to `host:hostPort` inside. */
export interface ForwardRule extends OpenPort {
  readonly host: string;
  readonly family: 4 | 6;
  readonly hostPort: number;
}

/** `firewall =`; unset means nftables where it works, else iptables. */
export type BackendChoice = 'nftables' | 'iptables' | 'ipset' | 'firewalld' | 'command';

/** Where the nftables backend keeps its sets. */
export interface NftTable {
  readonly family: 'inet' | 'ip' | 'ip6';
  readonly name: string;
  /** A table of the administrator's (`nft_table = inet filter`): sets only, no chain of ours. */
  readonly integrated: boolean;
}

/** Ports the daemon treats as traps: any hit during an attempt fails it. */
export type DecoyPolicy =
  | { readonly mode: 'auto' }
  | { readonly mode: 'off' }
  | { readonly mode: 'ports'; readonly tcp: readonly PortRange[]; readonly udp: readonly PortRange[] };

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export interface Options {
  readonly useSyslog: boolean;
  readonly logFile?: string;
  readonly pidFile?: string;
  readonly interfaces: readonly string[];
  readonly stateDir?: string;
  /** The control socket's path (`portcullis status`, `revoke`, `reload`); undefined: the default. */
  readonly controlSocket?: string;
  readonly decoys: DecoyPolicy;
  /** Failed attempts (or decoy hits) from one source before it is ignored. */
  readonly failureLimit: number;
  /** How long a failure counts towards failureLimit. */
  readonly failureWindowMs: number;
  /** How long a source that reached failureLimit is ignored. */
  readonly banMs: number;
  /** Upper bound on attempts in flight (oldest evicted first). */
  readonly maxAttempts: number;
  /** Upper bound on tracked failing/banned sources (oldest evicted first). */
  readonly maxTrackedSources: number;
  /** undefined: choose at start (nftables if it works, else iptables). */
  readonly firewall?: BackendChoice;
  readonly nftTable: NftTable;
  /** Priority of the own table's base chains. */
  readonly nftPriority: number;
  /** On SIGTERM, close grants the kernel would not expire by itself. */
  readonly closeOnExit: boolean;
  /** `firewalld_zone`: the zone of the firewalld backend's rich rules; undefined: firewalld's default zone. */
  readonly firewalldZone?: string;
  /** `max_spa_packet_age`: an SPA packet whose timestamp is further than this from now, either way, is refused. */
  readonly maxSpaPacketAgeMs: number;
  /** `BanExempt`: sources never counted as failing nor banned (src/bans/); absent: none. */
  readonly banExempt?: readonly Cidr[];
  /** `SPA_Rate_Limit`: the nftables backend's per-source kernel limit on SPA ports; absent: DEFAULTS.spaRateLimit; `off`: none. */
  readonly spaRateLimit?: SpaRateLimit | 'off';
  /** `metrics_listen`: serve GET /metrics here (docs/metrics.md); undefined: no listener. */
  readonly metricsListen?: HostPort;
  /** `syslog_remote`: forward security events to this RFC 5424 collector (docs/logging.md). */
  readonly syslogRemote?: SyslogRemote;
  /** `syslog_remote_facility`: RFC 5424 facility code of the forwarded messages; undefined: 4 (auth). */
  readonly syslogRemoteFacility?: number;
}

/** Packets per second a source may send to the SPA ports (the kernel drops the excess), with a burst allowance. */
export interface SpaRateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export interface Config {
  readonly file: string;
  readonly options: Options;
  readonly doors: readonly Door[];
}

export const DEFAULTS = {
  seqTimeoutMs: 25_000,
  cmdTimeoutMs: 10_000,
  maxSequenceLength: 32,
  failureLimit: 5,
  failureWindowMs: 60_000,
  banMs: 300_000,
  maxAttempts: 65_536,
  maxTrackedSources: 65_536,
  openTimeoutMs: 30_000,
  nftPriority: -10,
  maxSpaPacketAgeMs: 120_000,
  spaPort: 62201,
  spaAccessTimeoutMs: 30_000,
  spaMaxTimeoutMs: 300_000,
  spaRateLimit: { perSecond: 20, burst: 20 },
} as const;
