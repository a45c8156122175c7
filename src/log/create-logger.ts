// The daemon's logger: fans each entry out to stderr, the LogFile and syslog.
// Which levels go where:
//   LogFile, syslog: info, warn, error (knockd's logprint lines), plus debug with --debug.
//   stderr:          warn, error; info only with --verbose (knockd -v prints its
//                    log lines to stdout); debug only with --debug.
//   syslog_remote:   the security events of src/log/events.ts, whatever their level.
import type { Writable } from 'node:stream';
import { systemClock, type Clock } from '../util/clock.js';
import { jsonLine, logFileText, stderrText } from './format.js';
import { FileSink } from './file-sink.js';
import type { Fields, Level, LogEntry, Logger } from './logger.js';
import { StreamSink, type LogSink } from './stream-sink.js';
import { SyslogSink } from './syslog-sink.js';
import { RemoteSyslogSink, type RemoteSyslogOptions, type RemoteSyslogStats } from './remote-syslog-sink.js';

export interface LoggerOptions {
  readonly stderr: boolean;
  readonly logFile?: string;
  readonly syslog: boolean;
  readonly format: 'text' | 'json';
  readonly verbose: boolean;
  readonly debug: boolean;
  readonly clock?: Clock;
  /** For tests: stands in for process.stderr. */
  readonly stderrStream?: Writable;
  /** For tests: replaces the `logger` command line. */
  readonly syslogCommand?: readonly string[];
  /** Bytes a sink may queue before it starts dropping lines (default 1 MiB). */
  readonly maxBuffered?: number;
  /** syslog_remote: forward security events to this collector (RFC 5424). */
  readonly remoteSyslog?: Omit<RemoteSyslogOptions, 'report' | 'clock'>;
}

export interface DaemonLogger extends Logger {
  /** Re-opens the LogFile (SIGHUP, after logrotate moved it). */
  reopen(): void;
  /** Flushes and closes every destination; later lines are discarded. */
  close(): Promise<void>;
  /** The remote syslog forwarder's counts, when syslog_remote is set (for metrics). */
  remoteSyslogStats(): RemoteSyslogStats | undefined;
}

const RANK: Readonly<Record<Level, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

interface Route {
  readonly sink: LogSink;
  readonly minLevel: Level;
}

export function createLogger(options: LoggerOptions): DaemonLogger {
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const errStream = options.stderrStream ?? process.stderr;
  const json = options.format === 'json';
  const maxBuffered = options.maxBuffered !== undefined ? { maxBuffered: options.maxBuffered } : {};
  // Problems with a destination itself are told on stderr, whatever the options say.
  const report = (msg: string): void => { errStream.write((json ? jsonLine : stderrText)({ time: now(), level: 'warn', msg })); };
  const fileLevel: Level = options.debug ? 'debug' : 'info';

  const routes: Route[] = [];
  if (options.stderr) {
    const sink = new StreamSink(errStream, { format: json ? jsonLine : stderrText, now, ...maxBuffered });
    routes.push({ sink, minLevel: options.debug ? 'debug' : options.verbose ? 'info' : 'warn' });
  }
  if (options.logFile) {
    const sink = new FileSink(options.logFile, { format: json ? jsonLine : logFileText, now, report, ...maxBuffered });
    routes.push({ sink, minLevel: fileLevel });
  }
  if (options.syslog) {
    const command = options.syslogCommand !== undefined ? { command: options.syslogCommand } : {};
    routes.push({ sink: new SyslogSink({ now, report, ...command, ...maxBuffered }), minLevel: fileLevel });
  }
  const remote = options.remoteSyslog && new RemoteSyslogSink({ ...options.remoteSyslog, report, clock });
  // The sink picks the security events itself, at every level.
  if (remote) routes.push({ sink: remote, minLevel: 'debug' });
  return new FanOutLogger(routes, clock, remote);
}

class FanOutLogger implements DaemonLogger {
  private closed = false;

  constructor(private readonly routes: readonly Route[], private readonly clock: Clock, private readonly remote?: RemoteSyslogSink) {}

  remoteSyslogStats(): RemoteSyslogStats | undefined {
    return this.remote?.stats();
  }

  debug(msg: string, fields?: Fields): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: Fields): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Fields): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Fields): void { this.log('error', msg, fields); }

  reopen(): void {
    for (const { sink } of this.routes) sink.reopen?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.routes.map(({ sink }) => sink.close()));
  }

  private log(level: Level, msg: string, fields?: Fields): void {
    if (this.closed) return;
    const entry: LogEntry = fields === undefined ? { time: this.clock.now(), level, msg } : { time: this.clock.now(), level, msg, fields };
    for (const { sink, minLevel } of this.routes) {
      if (RANK[level] >= RANK[minLevel]) sink.write(entry);
    }
  }
}
