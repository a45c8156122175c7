// A log destination backed by a Writable. Logging must never block the packet
// path or grow memory without bound, so when the stream falls behind (more than
// maxBuffered bytes queued) lines are dropped and counted, and one
// "N log lines dropped" line is written once the stream has drained.
import type { Writable } from 'node:stream';
import type { LogEntry } from './logger.js';

export interface LogSink {
  write(entry: LogEntry): void;
  /** Closes and re-opens the destination (log rotation on SIGHUP); optional. */
  reopen?(): void;
  /** Flushes what is queued and releases the destination. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BUFFERED = 1024 * 1024;

export interface StreamSinkOptions {
  readonly format: (entry: LogEntry) => string;
  readonly now: () => number;
  readonly maxBuffered?: number;
  /** End the stream on close(); false for process.stderr. */
  readonly endOnClose?: boolean;
}

export class StreamSink implements LogSink {
  private dropped = 0;
  private failed = false;
  private readonly maxBuffered: number;

  constructor(private readonly stream: Writable, private readonly options: StreamSinkOptions) {
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    stream.on('drain', () => this.reportDropped());
    // A closed stderr pipe (EPIPE) or a full disk must not crash the daemon.
    stream.on('error', () => this.markFailed());
  }

  /** Lines dropped and not yet reported. */
  get droppedLines(): number {
    return this.dropped;
  }

  /** Stops writing (after a stream error); further lines are counted as dropped. */
  markFailed(): void {
    this.failed = true;
  }

  /** Adds lines dropped elsewhere (by a previous stream) to the next report. */
  carryDropped(count: number): void {
    this.dropped += count;
    if (this.dropped > 0 && this.stream.writableLength === 0) this.reportDropped();
  }

  write(entry: LogEntry): void {
    if (this.failed || this.stream.destroyed || this.stream.writableLength > this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.stream.write(this.options.format(entry));
  }

  close(): Promise<void> {
    if (!this.options.endOnClose || this.stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.once('close', () => resolve());
      this.stream.once('error', () => resolve());
      this.stream.end();
    });
  }

  private reportDropped(): void {
    if (this.dropped === 0 || this.failed || this.stream.destroyed) return;
    const n = this.dropped;
    this.dropped = 0;
    this.stream.write(this.options.format({ time: this.options.now(), level: 'warn', msg: `${n} log lines dropped` }));
  }
}
