// Running firewall programs: always an argument array, never a shell, with a
// time limit. The runner is an interface so backends are unit-tested against
// a recording double and end-to-end tests can run them inside a namespace.
import { spawn } from 'node:child_process';

export interface ToolResult {
  /** Exit status; null when killed or never started. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be run at all (not installed, timed out). */
  readonly error?: string;
}

export interface ToolRunner {
  /** Never rejects: every failure is in the result. */
  run(file: string, args: readonly string[], input?: string): Promise<ToolResult>;
  /** The argv that runs `file args` (with any prefix, e.g. `ip netns exec NS`), for long-lived processes. */
  argv(file: string, args: readonly string[]): readonly string[];
}

export interface ExecToolOptions {
  /** Prepended to every command, e.g. ['ip', 'netns', 'exec', 'lab-server'] in tests. */
  readonly prefix?: readonly string[];
  readonly timeoutMs?: number;
}

const MAX_OUTPUT = 4 * 1024 * 1024;

export class ExecToolRunner implements ToolRunner {
  private readonly prefix: readonly string[];
  private readonly timeoutMs: number;

  constructor(options: ExecToolOptions = {}) {
    this.prefix = options.prefix ?? [];
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  argv(file: string, args: readonly string[]): readonly string[] {
    return [...this.prefix, file, ...args];
  }

  run(file: string, args: readonly string[], input?: string): Promise<ToolResult> {
    const [cmd, ...rest] = this.argv(file, args);
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      let settled = false;
      const done = (r: ToolResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const child = spawn(cmd!, rest, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        done({ code: null, stdout, stderr, error: `${file} did not finish within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < MAX_OUTPUT) stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < MAX_OUTPUT) stderr += d; });
      child.on('error', (err) => done({ code: null, stdout, stderr, error: `cannot run ${file}: ${err.message}` }));
      child.on('close', (code) => done({ code, stdout, stderr }));
      child.stdin.on('error', () => undefined); // the program may exit before reading its input
      child.stdin.end(input ?? '');
    });
  }
}

export interface RecordedCall {
  readonly file: string;
  readonly args: readonly string[];
  readonly input?: string;
}

/** Test double: records every call and answers with `respond` (default: success, no output). */
export class RecordingToolRunner implements ToolRunner {
  readonly calls: RecordedCall[] = [];
  respond: (call: RecordedCall) => ToolResult = () => ({ code: 0, stdout: '', stderr: '' });

  argv(file: string, args: readonly string[]): readonly string[] {
    return [file, ...args];
  }

  async run(file: string, args: readonly string[], input?: string): Promise<ToolResult> {
    const call: RecordedCall = input === undefined ? { file, args: [...args] } : { file, args: [...args], input };
    this.calls.push(call);
    return this.respond(call);
  }

  /** The calls as `file arg arg…` lines, for readable assertions. */
  lines(): string[] {
    return this.calls.map((c) => [c.file, ...c.args].join(' '));
  }
}

/** Wraps a runner so tests can make the firewall program fail on demand. */
export class FailableToolRunner implements ToolRunner {
  failing = false;
  constructor(private readonly inner: ToolRunner) {}

  argv(file: string, args: readonly string[]): readonly string[] {
    return this.failing ? ['/nonexistent/portcullis-test-tool', ...args] : this.inner.argv(file, args);
  }

  run(file: string, args: readonly string[], input?: string): Promise<ToolResult> {
    if (this.failing) return Promise.resolve({ code: 1, stdout: '', stderr: `${file}: simulated failure` });
    return this.inner.run(file, args, input);
  }
}

/** The result as one line for error messages: stderr, else the run error, else the exit status. */
export function describeFailure(file: string, r: ToolResult): string {
  if (r.error !== undefined) return r.error;
  const text = r.stderr.trim() || r.stdout.trim();
  return `${file} exited with ${r.code ?? 'a signal'}${text ? `: ${text.split('\n').slice(0, 3).join(' | ')}` : ''}`;
}
