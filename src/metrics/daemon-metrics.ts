// The daemon's metrics (docs/metrics.md): every family reads numbers the
// daemon keeps anyway, at scrape time, except the open-latency histogram,
// which the firewall grants feed once per grant and the command grants once
// per start command. Label values are door names
// from the config and fixed enums only, never addresses, so the number of
// series is bounded by the config.
import type { Door } from '../config/model.js';
import { DOOR_OUTCOMES, type Counters } from '../daemon/counters.js';
import type { RemoteSyslogStats } from '../log/remote-syslog-sink.js';
import { Histogram, Registry, sample, type Sample } from './registry.js';

/** Seconds, from 1 ms to 10 s: knock-to-open is ~1.5 ms with nftables, ~5–30 ms through a command. */
export const OPEN_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface BanNumbers {
  readonly active: number;
  readonly total: number;
  readonly lifted: number;
  readonly expired: number;
}

export interface MetricSources {
  /** The daemon's live counters (read, never written). */
  readonly counters: () => Counters;
  /** The doors of the running configuration: the `door` label values. */
  readonly doors: () => readonly Door[];
  /** The door tables: attempts in flight, failing and banned sources, evictions across all tables. */
  readonly tables: () => { readonly attempts: number; readonly failing: number; readonly banned: number; readonly evictions: number };
  /** Grants held now, by kind. */
  readonly grants: () => { readonly firewall: number; readonly command: number };
  /** Firewall operations that failed (FirewallGrants.errors); 0 without a backend. */
  readonly firewallErrors: () => number;
  /** The ban authority's counts (src/bans/), when there is one. */
  readonly bans?: () => BanNumbers | undefined;
  /** The remote syslog forwarder's counts, when syslog_remote is set. */
  readonly remoteSyslog?: () => RemoteSyslogStats | undefined;
  readonly startedAtMs: number;
  readonly version: string;
}

export interface DaemonMetrics {
  readonly registry: Registry;
  readonly openLatency: Histogram;
}

const counter = (n: number): Sample[] => [sample(n)];

export function newOpenLatency(): Histogram {
  const h = new Histogram('portcullis_open_latency_seconds',
    'Seconds from the last knock (or the SPA packet) being handled to the firewall change committed (via="firewall") or the start command started (via="command")',
    OPEN_LATENCY_BUCKETS, ['kind', 'via']);
  for (const kind of ['knock', 'spa']) for (const via of ['firewall', 'command']) h.declare({ kind, via });
  return h;
}

export function daemonMetrics(src: MetricSources, openLatency: Histogram = newOpenLatency()): DaemonMetrics {
  const r = new Registry();
  const c = (): Counters => src.counters();
  r.gauge('portcullis_build_info', 'Always 1; the version is a label', () => [sample(1, { version: src.version })], ['version']);
  r.gauge('portcullis_start_time_seconds', 'When the daemon started, seconds since the epoch', () => counter(src.startedAtMs / 1000));
  r.gauge('portcullis_doors', 'Doors in the running configuration', () => counter(src.doors().length));
  r.counter('portcullis_packets_seen_total', 'Packets the capture delivered (knock ports, SPA ports, decoys)', () => counter(c().packets));
  r.counter('portcullis_packets_ignored_total', 'Packets that changed nothing, by reason', () =>
    Object.entries(c().ignored).map(([reason, n]) => sample(n, { reason })), ['reason']);
  r.counter('portcullis_knocks_total', 'Knock door events by door and outcome: step (a knock matched the next step), open, and how other attempts ended', () => {
    const byDoor = c().byDoor;
    const out: Sample[] = [];
    for (const d of src.doors()) {
      if (d.spa) continue;
      const counts = byDoor.get(d.name);
      for (const outcome of DOOR_OUTCOMES) if (outcome !== 'spa-accept') out.push(sample(counts?.[outcome] ?? 0, { door: d.name, outcome }));
    }
    return out;
  }, ['door', 'outcome']);
  r.counter('portcullis_spa_packets_total', 'SPA datagrams by outcome; rejected ones by reason (fixed set)', () => {
    const spa = c().spa;
    return [sample(spa.opens, { outcome: 'accepted', reason: 'none' }),
      // Command messages started (enable_cmd_exec); refused ones are `rejected` with their reason.
      sample(spa.commands, { outcome: 'command', reason: 'none' }),
      ...Object.entries(spa.refused).map(([reason, n]) => sample(n, { outcome: 'rejected', reason }))];
  }, ['outcome', 'reason']);
  r.counter('portcullis_opens_total', 'Doors opened, by door and kind (knock: sequence completed; spa: packet accepted)', () => {
    const byDoor = c().byDoor;
    return src.doors().map((d) => {
      const counts = byDoor.get(d.name);
      return d.spa ? sample(counts?.['spa-accept'] ?? 0, { door: d.name, kind: 'spa' }) : sample(counts?.open ?? 0, { door: d.name, kind: 'knock' });
    });
  }, ['door', 'kind']);
  r.gauge('portcullis_grants_active', 'Grants held now: firewall entries, and doors whose stop command is pending', () => {
    const g = src.grants();
    return [sample(g.firewall, { kind: 'firewall' }), sample(g.command, { kind: 'command' })];
  }, ['kind']);
  r.gauge('portcullis_attempts_in_flight', 'Knock attempts in progress', () => counter(src.tables().attempts));
  r.gauge('portcullis_sources_failing', 'Sources with failures counted towards a ban', () => counter(src.tables().failing));
  r.gauge('portcullis_bans_active', 'Sources banned now', () => counter(src.bans?.()?.active ?? src.tables().banned));
  r.counter('portcullis_bans_total', 'Bans made since start', () => counter(src.bans?.()?.total ?? c().bans));
  r.counter('portcullis_bans_ended_total', 'Bans that ended, by how (expired, lifted by portcullis unban)', () => {
    const b = src.bans?.();
    return b ? [sample(b.expired, { how: 'expired' }), sample(b.lifted, { how: 'lifted' })] : [];
  }, ['how']);
  r.counter('portcullis_evictions_total', 'Entries dropped from a full table (attempts; sources: failing, banned, cooldown)', () => {
    const attempts = c().evictions;
    return [sample(attempts, { table: 'attempts' }), sample(Math.max(0, src.tables().evictions - attempts), { table: 'sources' })];
  }, ['table']);
  r.histogram(openLatency);
  r.counter('portcullis_firewall_errors_total', 'Firewall changes (open, close) that failed', () => counter(src.firewallErrors()));
  if (src.remoteSyslog) {
    const remote = src.remoteSyslog;
    r.counter('portcullis_syslog_remote_messages_total', 'Security events for syslog_remote: sent, or dropped (queue full, collector unreachable)', () => {
      const s = remote();
      return s ? [sample(s.sent, { result: 'sent' }), sample(s.dropped, { result: 'dropped' })] : [];
    }, ['result']);
    r.gauge('portcullis_syslog_remote_up', '1 while the syslog_remote collector is reachable (TCP connected; UDP: no send error)', () => {
      const s = remote();
      return s ? counter(s.connected ? 1 : 0) : [];
    });
  }
  return { registry: r, openLatency };
}
