// The logging contract every part of the daemon writes to. Implementations:
// createLogger (stderr / LogFile / syslog) and MemoryLogger (tests).

export type Level = 'debug' | 'info' | 'warn' | 'error';

export type Fields = Readonly<Record<string, unknown>>;

/**
 * Each method records one message. `msg` is the human line (knockd's exact text
 * where one exists); `fields` carry structured details, shown in the JSON format.
 * Methods never throw and never block: a sink that cannot keep up drops lines.
 */
export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export interface LogEntry {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly level: Level;
  readonly msg: string;
  readonly fields?: Fields;
}

/** A Logger that discards everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
