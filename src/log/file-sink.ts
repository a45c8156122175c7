// The LogFile: appended to (mode 0640 when created), re-opened on SIGHUP so
// logrotate can move the old file away, as knockd does (knockd.md §4).
import { createWriteStream } from 'node:fs';
import type { LogEntry } from './logger.js';
import { StreamSink, type LogSink } from './stream-sink.js';

export interface FileSinkOptions {
  readonly format: (entry: LogEntry) => string;
  readonly now: () => number;
  readonly maxBuffered?: number;
  /** Where to say that the file cannot be written (stderr); called once per opened stream. */
  readonly report: (msg: string) => void;
}

export class FileSink implements LogSink {
  private sink: StreamSink;

  constructor(readonly path: string, private readonly options: FileSinkOptions) {
    this.sink = this.open();
  }

  write(entry: LogEntry): void {
    this.sink.write(entry);
  }

  reopen(): void {
    const old = this.sink;
    this.sink = this.open();
    this.sink.carryDropped(old.droppedLines);
    void old.close();
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private open(): StreamSink {
    const stream = createWriteStream(this.path, { flags: 'a', mode: 0o640 });
    const sink = new StreamSink(stream, {
      format: this.options.format,
      now: this.options.now,
      endOnClose: true,
      ...(this.options.maxBuffered !== undefined ? { maxBuffered: this.options.maxBuffered } : {}),
    });
    let reported = false;
    stream.on('error', (err) => {
      sink.markFailed();
      if (!reported) this.options.report(`cannot write log file ${this.path}: ${err.message}`);
      reported = true;
    });
    return sink;
  }
}
