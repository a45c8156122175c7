// Runs door commands through /bin/sh, as knockd does (system(3)), and SPA
// command messages as an argv without a shell (exec), but never blocks, never
// waits forever, and never runs an unbounded number at once.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface CommandOutcome {
  /** Exit status of the shell; null if it was killed by a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The time limit ran out and the command's process group was killed. */
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The last OUTPUT_TAIL_BYTES of stdout and stderr, interleaved as they arrived. */
  readonly output: string;
  /** Set when the command did not run at all (spawn failure, queue full). */
  readonly error?: string;
}

export interface CommandRunner {
  /** Runs `command` with `/bin/sh -c`. Never rejects: every failure is reported in the outcome. */
  run(command: string, timeoutMs: number): Promise<CommandOutcome>;
  /** Runs a program with an argument array, no shell, as `spec` says (SPA command messages). Never rejects. */
  exec(spec: ExecSpec): Promise<CommandOutcome>;
}

/** A program run without a shell: the argv, as whom, and in what environment. */
export interface ExecSpec {
  /** argv[0] is the program: an absolute path, or a name looked up in env.PATH. */
  readonly argv: readonly string[];
  /** setgid/setuid before exec (libuv also drops supplementary groups); the daemon's own ids change nothing. */
  readonly uid: number;
  readonly gid: number;
  /** The whole environment: nothing of the daemon's is inherited. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly timeoutMs: number;
  /** Aborted: the command is killed as on a timeout (the daemon stops), or never started if still queued. */
  readonly signal?: AbortSignal;
}

export const OUTPUT_TAIL_BYTES = 4096;

export interface ShellRunnerOptions {
  /** Commands running at once; more wait in a queue. */
  readonly maxConcurrent?: number;
  /** Commands waiting; beyond this, run() reports an error at once instead of queueing. */
  readonly maxQueued?: number;
  /** Time between SIGTERM and SIGKILL to a timed-out command's process group. */
  readonly killGraceMs?: number;
  /** Kept for tests; defaults to /bin/sh. */
  readonly shell?: string;
}

interface Queued {
  readonly file: string;
  readonly args: readonly string[];
  readonly spawnOptions: SpawnOptions;
  readonly timeoutMs: number;
  readonly abort?: AbortSignal;
  readonly resolve: (outcome: CommandOutcome) => void;
}

export class ShellRunner implements CommandRunner {
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly killGraceMs: number;
  private readonly shell: string;
  private active = 0;
  private readonly queue: Queued[] = [];

  constructor(options: ShellRunnerOptions = {}) {
    this.maxConcurrent = options.maxConcurrent ?? 32;
    this.maxQueued = options.maxQueued ?? 1024;
    this.killGraceMs = options.killGraceMs ?? 2000;
    this.shell = options.shell ?? '/bin/sh';
  }

  /** Commands running now. */
  get running(): number {
    return this.active;
  }

  /** Commands waiting for a free slot. */
  get queued(): number {
    return this.queue.length;
  }

  run(command: string, timeoutMs: number): Promise<CommandOutcome> {
    return this.enqueue(this.shell, ['-c', command], {}, timeoutMs);
  }

  exec(spec: ExecSpec): Promise<CommandOutcome> {
    const [file, ...args] = spec.argv;
    if (file === undefined) return Promise.resolve(notRun('cannot run an empty argv'));
    // Our own ids: no setuid/setgid/setgroups at all, which a daemon without
    // CAP_SETUID/CAP_SETGID (or under a seccomp filter) could not do.
    const self = spec.uid === process.getuid?.() && spec.gid === process.getgid?.();
    const ids = self ? {} : { uid: spec.uid, gid: spec.gid };
    return this.enqueue(file, args, { ...ids, env: { ...spec.env }, cwd: spec.cwd }, spec.timeoutMs, spec.signal);
  }

  private enqueue(file: string, args: readonly string[], spawnOptions: SpawnOptions, timeoutMs: number, abort?: AbortSignal): Promise<CommandOutcome> {
    return new Promise((resolve) => {
      const job: Queued = { file, args, spawnOptions, timeoutMs, resolve, ...(abort && { abort }) };
      if (this.active < this.maxConcurrent) {
        this.start(job);
      } else if (this.queue.length < this.maxQueued) {
        this.queue.push(job);
      } else {
        resolve(notRun(`command queue full (${this.maxQueued} waiting), command dropped`));
      }
    });
  }

  private start(job: Queued): void {
    this.active++;
    const run = job.abort?.aborted ? Promise.resolve(notRun('stopped before it could run')) : runOne(job.file, job.args, job.spawnOptions, job.timeoutMs, this.killGraceMs, job.abort);
    run.then((outcome) => {
      this.active--;
      const next = this.queue.shift();
      if (next) this.start(next);
      job.resolve(outcome);
    });
  }
}

function notRun(error: string): CommandOutcome {
  return { exitCode: null, signal: null, timedOut: false, durationMs: 0, output: '', error };
}

/** Keeps only the last `limit` bytes written to it. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}

// After the shell exits, wait this long for the pipes to drain; a background
// child that inherited them must not hold the outcome back.
const PIPE_DRAIN_MS = 100;

function runOne(file: string, args: readonly string[], spawnOptions: SpawnOptions, timeoutMs: number, killGraceMs: number, abort?: AbortSignal): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const tail = new Tail(OUTPUT_TAIL_BYTES);
    let child: ChildProcess;
    try {
      // detached: the shell leads a new session and process group (knockd calls
      // setsid()), so a timeout can kill everything the command started.
      child = spawn(file, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve(notRun(`cannot run command: ${(err as Error).message}`));
      return;
    }
    let timedOut = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const onData = (chunk: Buffer): void => tail.push(chunk);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);

    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try { process.kill(-child.pid, signal); } catch { /* group already gone */ }
    };
    const kill = (): void => {
      if (killTimer) return;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), killGraceMs);
      killTimer.unref();
    };
    const timer = setTimeout(() => { timedOut = true; kill(); }, Math.max(1, timeoutMs));
    abort?.addEventListener('abort', kill, { once: true });

    const finish = (outcome: Omit<CommandOutcome, 'durationMs' | 'output' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort?.removeEventListener('abort', kill);
      const drained = (): void => {
        child.stdout!.destroy();
        child.stderr!.destroy();
        resolve({ ...outcome, timedOut, durationMs: Date.now() - startedAt, output: tail.text() });
      };
      if (child.stdout!.closed && child.stderr!.closed) {
        drained();
      } else {
        let open = 2;
        const drainTimer = setTimeout(drained, PIPE_DRAIN_MS);
        const closed = (): void => { if (--open === 0) { clearTimeout(drainTimer); drained(); } };
        if (child.stdout!.closed) open--; else child.stdout!.once('close', closed);
        if (child.stderr!.closed) open--; else child.stderr!.once('close', closed);
        if (open === 0) { clearTimeout(drainTimer); drained(); }
      }
    };
    child.once('error', (err) => {
      // Spawn failures (ENOENT, EAGAIN) come here; the process never ran.
      if (killTimer) clearTimeout(killTimer);
      finish({ exitCode: null, signal: null, error: `cannot run command: ${err.message}` });
    });
    child.once('exit', (code, signal) => {
      // After a timeout the SIGKILL stays armed: the shell may be gone while
      // children that ignore SIGTERM are still in its process group.
      finish({ exitCode: code, signal });
    });
  });
}
