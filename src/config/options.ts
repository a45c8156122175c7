// The [options] section: knockd 0.8's four keys plus the Portcullis keys.
import { DEFAULTS, type BackendChoice, type Cidr, type DecoyPolicy, type NftTable, type Options, type SpaRateLimit } from './model.js';
import type { Origin, Problems } from './problems.js';
import { parseDecoys } from './decoys.js';
import { parseCount, parseInterfaces, parsePath, parseSeconds, parseYesNo } from './values.js';
import { parseBackend, parseFirewalldZone, parseNftTable, parsePriority } from './firewall-values.js';
import { parseMaxPacketAge } from './spa-values.js';
import { parseFacility, parseMetricsListen, parseSyslogRemote, type HostPort, type SyslogRemote } from './observability-values.js';
import { parseBanExempt, parseSpaRateLimit } from './ban-values.js';

/** Canonical option key for each accepted spelling (lower case). */
export const OPTION_KEYS = {
  // Bare word, no `=`; knockd also accepted it inside a door section.
  usesyslog: 'usesyslog',
  logfile: 'logfile',
  pidfile: 'pidfile',
  // Portcullis: a comma-separated list (`eth0, wg0`); knockd took one name.
  interface: 'interface',
  // Portcullis: `StateDir = /var/lib/portcullis` — where the daemon keeps
  // state that must survive a restart.
  statedir: 'statedir',
  // Portcullis: `Decoys = auto | off | 1-1023:tcp, 3000-3999, 53:udp` (default
  // auto: every port outside the sequences that the host does not serve) — ports
  // where any hit during an attempt fails it; `off` gives knockd's behaviour.
  decoys: 'decoys',
  // Portcullis: `FailureLimit = N` (default 5, at least 1) — failed attempts or
  // decoy hits from one source within FailureWindow before it is banned.
  failurelimit: 'failurelimit',
  // Portcullis: `FailureWindow = SECONDS` (default 60, at least 1).
  failurewindow: 'failurewindow',
  // Portcullis: `BanTime = SECONDS` (default 300; 0 turns banning off).
  bantime: 'bantime',
  // Portcullis: `MaxAttempts = N` (default 65536, at most MAX_TABLE_SIZE) —
  // attempts in flight, allocated at start; the oldest stage-1 attempt is
  // dropped when full, so a spoofed flood cannot grow memory (knockd leaked).
  maxattempts: 'maxattempts',
  // Portcullis: `MaxTrackedSources = N` (default 65536) — failing or banned
  // sources remembered; the oldest is dropped when full.
  maxtrackedsources: 'maxtrackedsources',
  // Portcullis: `ControlSocket = PATH` (default $RUNTIME_DIRECTORY/control.sock,
  // else /run/portcullis/control.sock) — the Unix socket of `portcullis status`,
  // `revoke` and `reload` (src/control/).
  controlsocket: 'controlsocket',
  // Portcullis, firewall backends (firewall-values.ts): `firewall = nftables |
  // iptables | ipset | firewalld | command` (default: nftables if it works
  // here, else iptables); `nft_table = NAME` (own table, default portcullis) or
  // `nft_table = inet filter` (sets inside your table); `nft_priority = N`
  // (default -10); `close_on_exit = yes|no` (default yes); `firewalld_zone =
  // NAME` (the zone the firewalld backend adds its rich rules to, 1 to 17
  // letters, digits, _ or -; default: firewalld's default zone; read by the
  // firewalld backend only).
  firewall: 'firewall',
  nft_table: 'nft_table',
  nft_priority: 'nft_priority',
  close_on_exit: 'close_on_exit',
  firewalld_zone: 'firewalld_zone',
  // Portcullis, SPA doors (spa-door.ts): `max_spa_packet_age = SECONDS`
  // (default 120, fwknopd's MAX_SPA_PACKET_AGE) — an SPA packet whose
  // timestamp is further than this from the daemon's clock, either way, is refused.
  max_spa_packet_age: 'max_spa_packet_age',
  // Portcullis, bans (ban-values.ts, src/bans/): `BanExempt = CIDR[, CIDR…]`
  // (default none; several lines add up) — sources never counted as failing
  // nor banned; `SPA_Rate_Limit = N/second [burst M] | off` (default
  // 20/second burst 20) — the nftables backend's per-source limit on SPA ports,
  // in the kernel (read at start).
  banexempt: 'banexempt',
  spa_rate_limit: 'spa_rate_limit',
  // Portcullis, observability (observability-values.ts, docs/metrics.md,
  // docs/logging.md): `metrics_listen = 127.0.0.1:9742` (GET /metrics, off by
  // default); `syslog_remote = udp://ADDR[:PORT] | tcp://ADDR[:PORT]` (security
  // events as RFC 5424, off by default); `syslog_remote_facility = NAME` (auth).
  metrics_listen: 'metrics_listen',
  syslog_remote: 'syslog_remote',
  syslog_remote_facility: 'syslog_remote_facility',
} as const;
/** The door tables are allocated whole at start (about 80 bytes an entry): 4 Mi entries is ~330 MB. */
const MAX_TABLE_SIZE = 4_194_304;

export type OptionKey = (typeof OPTION_KEYS)[keyof typeof OPTION_KEYS];

export class OptionsDraft {
  useSyslog = false;
  logFile?: string;
  pidFile?: string;
  interfaces: string[] = [];
  stateDir?: string;
  controlSocket?: string;
  decoys: DecoyPolicy = { mode: 'auto' };
  decoysAt?: Origin;
  failureLimit: number = DEFAULTS.failureLimit;
  failureWindowMs: number = DEFAULTS.failureWindowMs;
  banMs: number = DEFAULTS.banMs;
  maxAttempts: number = DEFAULTS.maxAttempts;
  maxTrackedSources: number = DEFAULTS.maxTrackedSources;
  firewall?: BackendChoice;
  firewallAt?: Origin;
  nftTable: NftTable = { family: 'inet', name: 'portcullis', integrated: false };
  nftPriority: number = DEFAULTS.nftPriority;
  closeOnExit = true;
  firewalldZone?: string;
  maxSpaPacketAgeMs: number = DEFAULTS.maxSpaPacketAgeMs;
  metricsListen?: HostPort;
  syslogRemote?: SyslogRemote;
  syslogRemoteFacility?: number;
  banExempt: Cidr[] = [];
  spaRateLimit?: SpaRateLimit | 'off';

  apply(key: OptionKey, value: string, at: Origin, problems: Problems): void {
    const v = <T>(parse: () => T): T | undefined => problems.value(at, parse);
    switch (key) {
      // The caller handles UseSyslog, because knockd also accepted it in doors.
      case 'usesyslog': return;
      case 'logfile': this.logFile = v(() => parsePath(value)) ?? this.logFile; return;
      case 'pidfile': this.pidFile = v(() => parsePath(value)) ?? this.pidFile; return;
      case 'interface': this.interfaces = v(() => parseInterfaces(value)) ?? this.interfaces; return;
      case 'statedir': this.stateDir = v(() => parsePath(value)) ?? this.stateDir; return;
      case 'controlsocket': this.controlSocket = v(() => parsePath(value)) ?? this.controlSocket; return;
      case 'decoys': {
        const decoys = v(() => parseDecoys(value));
        if (decoys) { this.decoys = decoys; this.decoysAt = at; }
        return;
      }
      case 'failurelimit': this.failureLimit = v(() => parseCount(value, 1)) ?? this.failureLimit; return;
      case 'failurewindow': this.failureWindowMs = v(() => parseSeconds(value, 1)) ?? this.failureWindowMs; return;
      case 'bantime': this.banMs = v(() => parseSeconds(value, 0)) ?? this.banMs; return;
      case 'maxattempts': this.maxAttempts = v(() => parseCount(value, 1, MAX_TABLE_SIZE)) ?? this.maxAttempts; return;
      case 'maxtrackedsources': this.maxTrackedSources = v(() => parseCount(value, 1, MAX_TABLE_SIZE)) ?? this.maxTrackedSources; return;
      case 'firewall': this.firewall = v(() => parseBackend(value)) ?? this.firewall; this.firewallAt = at; return;
      case 'nft_table': this.nftTable = v(() => parseNftTable(value)) ?? this.nftTable; return;
      case 'nft_priority': this.nftPriority = v(() => parsePriority(value)) ?? this.nftPriority; return;
      case 'close_on_exit': this.closeOnExit = v(() => parseYesNo(value)) ?? this.closeOnExit; return;
      case 'firewalld_zone': this.firewalldZone = v(() => parseFirewalldZone(value)) ?? this.firewalldZone; return;
      case 'max_spa_packet_age': this.maxSpaPacketAgeMs = v(() => parseMaxPacketAge(value)) ?? this.maxSpaPacketAgeMs; return;
      case 'metrics_listen': this.metricsListen = v(() => parseMetricsListen(value)) ?? this.metricsListen; return;
      case 'syslog_remote': this.syslogRemote = v(() => parseSyslogRemote(value)) ?? this.syslogRemote; return;
      case 'syslog_remote_facility': this.syslogRemoteFacility = v(() => parseFacility(value)) ?? this.syslogRemoteFacility; return;
      case 'banexempt': this.banExempt.push(...(v(() => parseBanExempt(value)) ?? [])); return;
      case 'spa_rate_limit': this.spaRateLimit = v(() => parseSpaRateLimit(value)) ?? this.spaRateLimit; return;
    }
  }

  build(): Options {
    return {
      useSyslog: this.useSyslog,
      ...(this.logFile !== undefined && { logFile: this.logFile }),
      ...(this.pidFile !== undefined && { pidFile: this.pidFile }),
      interfaces: this.interfaces,
      ...(this.stateDir !== undefined && { stateDir: this.stateDir }),
      ...(this.controlSocket !== undefined && { controlSocket: this.controlSocket }),
      decoys: this.decoys,
      failureLimit: this.failureLimit,
      failureWindowMs: this.failureWindowMs,
      banMs: this.banMs,
      maxAttempts: this.maxAttempts,
      maxTrackedSources: this.maxTrackedSources,
      ...(this.firewall !== undefined && { firewall: this.firewall }),
      nftTable: this.nftTable,
      nftPriority: this.nftPriority,
      closeOnExit: this.closeOnExit,
      ...(this.firewalldZone !== undefined && { firewalldZone: this.firewalldZone }),
      maxSpaPacketAgeMs: this.maxSpaPacketAgeMs,
      ...(this.metricsListen !== undefined && { metricsListen: this.metricsListen }),
      ...(this.syslogRemote !== undefined && { syslogRemote: this.syslogRemote }),
      ...(this.syslogRemoteFacility !== undefined && { syslogRemoteFacility: this.syslogRemoteFacility }),
      ...(this.banExempt.length > 0 && { banExempt: this.banExempt }),
      ...(this.spaRateLimit !== undefined && { spaRateLimit: this.spaRateLimit }),
    };
  }
}
