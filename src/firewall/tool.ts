// Running firewall programs: always an argument array, never a shell, with a
// time limit. The runner is an interface so backends are unit-tested against
// a recording double and end-to-end tests can run them inside a namespace.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

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
  /** The argv that runs `file args` (with any prefix, e.g. `ip netns exec NS`). */
  argv(file: string, args: readonly string[]): readonly string[];
  /** Starts a long-lived program with piped stdio (errors arrive as 'error' events). */
  spawn(file: string, args: readonly string[]): ChildProcessWithoutNullStreams;
}

function spawnArgv(argv: readonly string[]): ChildProcessWithoutNullStreams {
  const [cmd, ...rest] = argv;
  return spawn(cmd!, rest, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
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

  spawn(file: string, args: readonly string[]): ChildProcessWithoutNullStreams {
    return spawnArgv(this.argv(file, args));
  }

  run(file: string, args: readonly string[], input?: string): Promise<ToolResult> {
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
      const child = spawnArgv(this.argv(file, args));
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

  spawn(file: string): ChildProcessWithoutNullStreams {
    throw new Error(`RecordingToolRunner cannot start ${file}; long-lived programs are tested end to end`);
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

/**
 * Wraps a runner so tests can make the firewall program fail on demand: while
 * failing, runs fail, new programs cannot start, and the long-lived ones it
 * started are killed (the program died).
 */
export class FailableToolRunner implements ToolRunner {
  private isFailing = false;
  private readonly children = new Set<ChildProcessWithoutNullStreams>();
  constructor(private readonly inner: ToolRunner) {}

  get failing(): boolean {
    return this.isFailing;
  }

  set failing(on: boolean) {
    this.isFailing = on;
    if (on) for (const c of this.children) c.kill('SIGKILL');
  }

  /** Kills the long-lived programs it started, as if they crashed. */
  killChildren(): number {
    const n = this.children.size;
    for (const c of this.children) c.kill('SIGKILL');
    return n;
  }

  argv(file: string, args: readonly string[]): readonly string[] {
    return this.isFailing ? ['/nonexistent/portcullis-test-tool', ...args] : this.inner.argv(file, args);
  }

  spawn(file: string, args: readonly string[]): ChildProcessWithoutNullStreams {
    const child = this.isFailing ? spawnArgv(this.argv(file, args)) : this.inner.spawn(file, args);
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    child.on('error', () => this.children.delete(child));
    return child;
  }

  run(file: string, args: readonly string[], input?: string): Promise<ToolResult> {
    if (this.isFailing) return Promise.resolve({ code: 1, stdout: '', stderr: `${file}: simulated failure` });
    return this.inner.run(file, args, input);
  }
}

/** The result as one line for error messages: stderr, else the run error, else the exit status. */
export function describeFailure(file: string, r: ToolResult): string {
  if (r.error !== undefined) return r.error;
  const text = r.stderr.trim() || r.stdout.trim();
  return `${file} exited with ${r.code ?? 'a signal'}${text ? `: ${text.split('\n').slice(0, 3).join(' | ')}` : ''}`;
}
