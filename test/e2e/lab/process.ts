// A process started inside a lab namespace: its output is kept line by line
// so tests can wait for a log line and quote everything in a failure message.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Line {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** Date.now() when the line arrived. */
  readonly at: number;
}

export class LabProcess {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(readonly label: string, argv: readonly string[], env?: NodeJS.ProcessEnv) {
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new Error('LabProcess: empty argv');
    this.child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    this.collect('stdout');
    this.collect('stderr');
    this.exited = new Promise((resolve) => {
      const done = (status: ExitStatus) => {
        if (this.status) return;
        this.status = status;
        this.wake();
        resolve(status);
      };
      this.child.once('error', (err) => {
        this.push('stderr', `spawn error: ${err.message}`);
        done({ code: null, signal: null });
      });
      // 'exit' rather than 'close': children of the process (a daemon's
      // commands) may hold the pipes open long after it died. Give the last
      // output a moment to arrive so failure messages are complete.
      this.child.once('exit', (code, signal) => {
        const settle = setTimeout(() => done({ code, signal }), 200);
        this.child.once('close', () => {
          clearTimeout(settle);
          done({ code, signal });
        });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /** Index to pass as `since` so a wait ignores lines printed before now. */
  mark(): number {
    return this.lines.length;
  }

  /** Resolves with the first line (from `since` on) matching `re`; rejects on timeout or exit. */
  waitForLine(re: RegExp, timeoutMs: number, since = 0): Promise<Line> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.find(re, since);
        if (hit) {
          finish();
          resolve(hit);
          return true;
        }
        if (this.status) {
          finish();
          reject(new Error(`${this.label} exited (${describe(this.status)}) before printing ${re}\n${this.output()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.label}: no line matching ${re} within ${timeoutMs} ms\n${this.output()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) this.waiters.add(wake);
    });
  }

  find(re: RegExp, since = 0): Line | undefined {
    for (let i = since; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (line && re.test(line.text)) return line;
    }
    return undefined;
  }

  /** Every line matching `re` from `since` on. */
  all(re: RegExp, since = 0): Line[] {
    return this.lines.slice(since).filter((l) => re.test(l.text));
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running && this.child.pid !== undefined) {
      try {
        process.kill(this.child.pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** Sends `signal`, then SIGKILL if the process is still there after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<ExitStatus> {
    if (!this.running) return this.exited;
    this.kill(signal);
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** All output so far, for assertion messages. */
  output(): string {
    const body = this.lines.map((l) => `  ${l.stream === 'stderr' ? '!' : '|'} ${l.text}`).join('\n');
    return `--- ${this.label} output (${this.lines.length} lines) ---\n${body}\n--- end of ${this.label} output ---`;
  }

  private collect(stream: 'stdout' | 'stderr'): void {
    let partial = '';
    const source = this.child[stream];
    if (!source) return;
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) this.push(stream, p);
    });
    source.on('end', () => {
      if (partial !== '') this.push(stream, partial);
      partial = '';
    });
  }

  private push(stream: 'stdout' | 'stderr', text: string): void {
    this.lines.push({ stream, text: text.replace(/\r$/, ''), at: Date.now() });
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export function describe(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `code ${status.code}`;
}
