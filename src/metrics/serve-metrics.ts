// For run.ts: the metrics of a running daemon, served on metrics_listen when
// it is set. A listener that cannot start is one error line; the doors are
// guarded as usual (as with the control socket).
import type { Options } from '../config/model.js';
import type { HostPort } from '../config/observability-values.js';
import type { GrantControl } from '../control/types.js';
import type { Daemon } from '../daemon/daemon.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { RemoteSyslogStats } from '../log/remote-syslog-sink.js';
import { daemonMetrics } from './daemon-metrics.js';
import type { Histogram } from './registry.js';
import { hostPort, MetricsServer } from './server.js';

export interface ServeMetricsOptions {
  readonly listen: HostPort | undefined;
  readonly daemon: Pick<Daemon, 'counters' | 'doors' | 'stats' | 'bans'>;
  readonly commands: Pick<GrantControl, 'active'>;
  /** The firewall grants, once a door needed them. */
  readonly firewall: () => { readonly errors: number; active(): readonly unknown[] } | undefined;
  readonly remoteSyslog?: () => RemoteSyslogStats | undefined;
  readonly openLatency: Histogram;
  readonly startedAtMs: number;
  readonly version: string;
  readonly log: Logger;
}

export interface MetricsService {
  close(): Promise<void>;
}

export async function serveMetrics(o: ServeMetricsOptions): Promise<MetricsService> {
  if (!o.listen) return { close: async () => undefined };
  const { registry } = daemonMetrics({
    counters: () => o.daemon.counters,
    doors: () => o.daemon.doors,
    tables: () => o.daemon.stats(),
    grants: () => ({ firewall: o.firewall()?.active().length ?? 0, command: o.commands.active().length }),
    firewallErrors: () => o.firewall()?.errors ?? 0,
    bans: () => o.daemon.bans.authority.counts(),
    ...(o.remoteSyslog && { remoteSyslog: o.remoteSyslog }),
    startedAtMs: o.startedAtMs,
    version: o.version,
  }, o.openLatency);
  const where = hostPort(o.listen.host, o.listen.port);
  try {
    const server = await MetricsServer.listen(o.listen.host, o.listen.port, registry);
    o.log.info(`metrics: serving http://${where}/metrics`, ev('metrics.listen', { address: where }));
    if (!isLoopback(o.listen.host)) {
      o.log.warn(`metrics: ${where} is not a loopback address; anyone who can reach it reads the metrics (door names, opens, bans) without authentication`, ev('metrics.exposed', { address: where }));
    }
    return server;
  } catch (err) {
    o.log.error(`${(err as Error).message}; the doors are guarded as usual`, ev('metrics.error', { address: where, error: (err as Error).message }));
    return { close: async () => undefined };
  }
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms (canonical text from the config parser). */
export function isLoopback(host: string): boolean {
  return host === '::1' || /^(::ffff:)?127\./.test(host);
}

/** The observability keys a reload cannot change (read at start): one line for each that changed. */
export function observabilityNeedsRestart(running: Options, loaded: Options): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const out: string[] = [];
  if (!same(running.metricsListen, loaded.metricsListen)) out.push('metrics_listen');
  if (!same(running.syslogRemote, loaded.syslogRemote) || (running.syslogRemoteFacility ?? 4) !== (loaded.syslogRemoteFacility ?? 4)) out.push('syslog_remote');
  return out.map((key) => `${key} changed; it is read at start, so the running daemon keeps the old value until a restart`);
}
