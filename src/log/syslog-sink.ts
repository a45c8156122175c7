// syslog without native code: Node has no AF_UNIX datagram sockets, so one
// long-lived util-linux `logger` process carries our lines to /dev/log. knockd
// logs every line at LOG_NOTICE under LOG_USER (knockd.md §1.2), and so do we.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import type { LogEntry } from './logger.js';
import { oneLine } from './format.js';
import { DEFAULT_MAX_BUFFERED, type LogSink } from './stream-sink.js';

export const DEFAULT_SYSLOG_COMMAND: readonly string[] = ['/usr/bin/logger', '-t', 'portcullis', '-p', 'user.notice'];

export interface SyslogSinkOptions {
  /** Program and arguments; the program reads one message per line on stdin. */
  readonly command?: readonly string[];
  readonly now: () => number;
  /** A dead logger process is restarted at most this often. */
  readonly respawnMs?: number;
  readonly maxBuffered?: number;
  /** Where to say that syslog is not working (stderr). */
  readonly report: (msg: string) => void;
}

export class SyslogSink implements LogSink {
  private readonly command: readonly string[];
  private readonly respawnMs: number;
  private readonly maxBuffered: number;
  private child: ChildProcess | undefined;
  private lastSpawn = -Infinity;
  private dropped = 0;
  private disabled = false;
  private closing = false;

  constructor(private readonly options: SyslogSinkOptions) {
    this.command = options.command ?? DEFAULT_SYSLOG_COMMAND;
    this.respawnMs = options.respawnMs ?? 10_000;
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    if (!existsSync(this.command[0]!)) this.disable(`${this.command[0]} not found`);
  }

  write(entry: LogEntry): void {
    if (this.disabled || this.closing) return;
    const stdin = this.ensureRunning();
    if (!stdin || stdin.writableLength > this.maxBuffered) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0) {
      stdin.write(`${this.dropped} log lines dropped\n`);
      this.dropped = 0;
    }
    stdin.write(`${oneLine(entry.msg)}\n`);
  }

  close(): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.stdin!.end();
    });
  }

  private ensureRunning(): Writable | undefined {
    if (this.child) return this.child.stdin!;
    const now = this.options.now();
    if (now - this.lastSpawn < this.respawnMs) return undefined;
    this.lastSpawn = now;
    const [program, ...args] = this.command;
    let child: ChildProcess;
    try {
      child = spawn(program!, args, { stdio: ['pipe', 'ignore', 'inherit'] });
    } catch (err) {
      this.disable(`cannot start ${program}: ${(err as Error).message}`);
      return undefined;
    }
    child.stdin!.on('error', () => { /* EPIPE when logger died; 'exit' handles it */ });
    child.once('error', (err) => {
      if (this.child === child) this.child = undefined;
      this.disable(`cannot start ${program}: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (!this.closing && !this.disabled) {
        this.options.report(`syslog: ${program} exited (${signal ?? `status ${code}`}); restarting it within ${Math.round(this.respawnMs / 1000)} s`);
      }
    });
    this.child = child;
    return child.stdin!;
  }

  private disable(reason: string): void {
    if (this.disabled) return;
    this.disabled = true;
    this.options.report(`syslog disabled: ${reason}`);
  }
}
