// A Logger for tests: keeps every entry in memory.
import { systemClock, type Clock } from '../util/clock.js';
import type { Fields, Level, LogEntry, Logger } from './logger.js';

export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  debug(msg: string, fields?: Fields): void { this.add('debug', msg, fields); }
  info(msg: string, fields?: Fields): void { this.add('info', msg, fields); }
  warn(msg: string, fields?: Fields): void { this.add('warn', msg, fields); }
  error(msg: string, fields?: Fields): void { this.add('error', msg, fields); }

  /** The messages, optionally of one level only. */
  messages(level?: Level): string[] {
    return this.entries.filter((e) => level === undefined || e.level === level).map((e) => e.msg);
  }

  /** Whether some message contains `text` (or matches the pattern). */
  has(text: string | RegExp): boolean {
    return this.entries.some((e) => (typeof text === 'string' ? e.msg.includes(text) : text.test(e.msg)));
  }

  clear(): void {
    this.entries.length = 0;
  }

  private add(level: Level, msg: string, fields?: Fields): void {
    this.entries.push(fields === undefined ? { time: this.clock.now(), level, msg } : { time: this.clock.now(), level, msg, fields });
  }
}
