// One long-lived `nft -e -i` process for grant changes, so a knock costs a
// write to a pipe instead of a process spawn.
//
// `nft -i` reads one line at a time and runs each line as one transaction. It
// prints nothing on success and an error on stderr on failure, so each batch
// is followed by a sync command with fixed output that needs no table
// (`describe udp sport`); with `-e` (echo) a committed batch also prints
// `# new generation N` first. So:
// sync output seen after a generation line = committed; without one = refused,
// and stderr says why. Batches run one at a time, in order.
//
// If nft dies (killed, OOM) or stops answering, the batch in flight fails and
// the next batch starts a new process: the kernel state does not depend on it.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { FirewallError } from './backend.js';
import type { ToolRunner } from './tool.js';

interface Pending {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (err: FirewallError) => void;
}

export interface NftChannelOptions {
  /** A batch with no answer within this is failed and nft restarted. */
  readonly timeoutMs?: number;
  /** Told when nft exits unexpectedly (for a log line). */
  readonly onExit?: (reason: string) => void;
}

const SYNC = 'describe udp sport';
const SYNC_OUTPUT = 'payload expression, datatype inet_service';
/** Stderr that arrives after the sync output is waited for this long. */
const STDERR_GRACE_MS = 25;

export class NftChannel {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private stdoutBuf = '';
  private stderrBuf = '';
  private committed = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Processes started so far (1 = never restarted). */
  starts = 0;

  constructor(private readonly runner: ToolRunner, private readonly options: NftChannelOptions = {}) {}

  /** Runs one transaction (commands separated by `;`, no newline). */
  run(line: string): Promise<void> {
    if (line.includes('\n')) return Promise.reject(new FirewallError('FIREWALL_BAD_VALUE', 'an nft batch must be one line'));
    if (this.closed) return Promise.reject(new FirewallError('FIREWALL_UNAVAILABLE', 'the nft channel is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      this.next();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new FirewallError('FIREWALL_UNAVAILABLE', 'the nft channel is closed'));
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    await new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.stdin.end();
      setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 1000).unref();
    });
  }

  private next(): void {
    if (this.current || this.queue.length === 0) return;
    const child = this.child ?? this.start();
    if (!child) return;
    this.current = this.queue.shift()!;
    this.committed = false;
    this.stderrBuf = '';
    this.timer = setTimeout(() => this.fail(`nft did not answer within ${this.options.timeoutMs ?? 5000} ms`, true), this.options.timeoutMs ?? 5000);
    child.stdin.write(`${this.current.line}\n${SYNC}\n`);
  }

  private start(): ChildProcessWithoutNullStreams | undefined {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = this.runner.spawn('nft', ['-e', '-i']);
    } catch (err) {
      this.failAll(`cannot run nft: ${(err as Error).message}`);
      return undefined;
    }
    this.starts++;
    this.child = child;
    this.stdoutBuf = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => this.onStdout(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => { this.stderrBuf += d; });
    child.stdin.on('error', () => undefined); // reported through 'exit'
    child.on('error', (err) => this.onGone(child, `cannot run nft: ${err.message}`));
    child.on('exit', (code, signal) => this.onGone(child, `nft exited (${signal ?? `status ${code}`})`));
    return child;
  }

  private onStdout(data: string): void {
    this.stdoutBuf += data;
    let nl: number;
    while ((nl = this.stdoutBuf.indexOf('\n')) >= 0) {
      const line = this.stdoutBuf.slice(0, nl);
      this.stdoutBuf = this.stdoutBuf.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (!this.current) return;
    if (line.startsWith('# new generation')) this.committed = true;
    else if (line.startsWith(SYNC_OUTPUT)) this.finish();
  }

  private finish(): void {
    const p = this.current;
    if (!p) return;
    clearTimeout(this.timer);
    if (this.committed) {
      this.current = undefined;
      p.resolve();
      this.next();
      return;
    }
    // Refused: the reason is on stderr, which may trail the sync output slightly.
    setTimeout(() => {
      this.current = undefined;
      p.reject(new FirewallError('FIREWALL_TOOL_FAILED', 'nft refused the change', firstError(this.stderrBuf) || 'no reason given'));
      this.next();
    }, this.stderrBuf.includes('Error') ? 0 : STDERR_GRACE_MS);
  }

  private onGone(child: ChildProcessWithoutNullStreams, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (!this.closed) this.options.onExit?.(reason);
    this.fail(reason + (this.stderrBuf ? `: ${firstError(this.stderrBuf)}` : ''), false);
  }

  /** Fails the batch in flight; `kill` also ends the process (it hung). */
  private fail(reason: string, kill: boolean): void {
    clearTimeout(this.timer);
    if (kill && this.child) {
      const c = this.child;
      this.child = undefined;
      c.kill('SIGKILL');
    }
    const p = this.current;
    this.current = undefined;
    p?.reject(new FirewallError('FIREWALL_TOOL_FAILED', reason));
    if (!this.closed) setImmediate(() => this.next());
  }

  private failAll(reason: string): void {
    for (const p of this.queue.splice(0)) p.reject(new FirewallError('FIREWALL_UNAVAILABLE', reason));
  }
}

function firstError(stderr: string): string {
  return stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(0, 2).join(' | ');
}
