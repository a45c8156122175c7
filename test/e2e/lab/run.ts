// Running a command to completion, with an argument array and never a shell.
import { spawn, spawnSync } from 'node:child_process';

export interface ExecResult {
  readonly argv: readonly string[];
  /** null when the command was killed (see `signal`, `timedOut`). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface ExecOptions {
  /** Written to the command's stdin, which is then closed. */
  readonly input?: string;
  /** Killed with SIGKILL after this long. Default 30 s. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new Error('run: empty argv'));
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ argv, code: null, signal: null, stdout, stderr: stderr + `spawn error: ${err.message}`, timedOut });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ argv, code, signal, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => {
      // The command may exit without reading its input.
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Throws, quoting the command and its output, unless it exited 0. */
export function mustSucceed(result: ExecResult): ExecResult {
  if (result.code !== 0) throw new Error(`command failed: ${formatResult(result)}`);
  return result;
}

export function formatResult(r: ExecResult): string {
  const how = r.timedOut ? 'timed out' : r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
  return `${r.argv.join(' ')} (${how})\nstdout: ${r.stdout.trimEnd()}\nstderr: ${r.stderr.trimEnd()}`;
}

/** For exit handlers, where nothing asynchronous runs any more. */
export function runSync(argv: readonly string[]): { code: number | null; stdout: string } {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return { code: null, stdout: '' };
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  return { code: r.status, stdout: r.stdout ?? '' };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
