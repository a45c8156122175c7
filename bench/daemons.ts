// The daemons under test, started the same way: in the server namespace, in
// the foreground, on the server's interface, their output going to a file
// (not a pipe the bench must drain while it measures). knockd and Portcullis
// (command) read the same config file; Portcullis with its nftables backend
// reads the same door with `open =` instead of a start command (ruleset.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PORTCULLIS_BIN, type Lab } from '../test/e2e/lab.js';
import { BENCH_SET, GRANTS_SET, type GrantSet } from './ruleset.js';

export type DaemonKind = 'portcullis' | 'portcullis-nft' | 'knockd';
/** In the order they run and appear in the report. */
export const DAEMONS: readonly DaemonKind[] = ['portcullis', 'portcullis-nft', 'knockd'];
/** The flood is about the knock engine, which both Portcullis variants share; it runs for these. */
export const FLOOD_DAEMONS: readonly DaemonKind[] = ['portcullis', 'knockd'];

export const DAEMON_NAMES: Record<DaemonKind, string> = {
  portcullis: 'Portcullis (command)',
  'portcullis-nft': 'Portcullis (nftables)',
  knockd: 'knockd',
};

/** Where each daemon's grants land. */
export function grantSetOf(kind: DaemonKind): GrantSet {
  return kind === 'portcullis-nft' ? GRANTS_SET : BENCH_SET;
}

export function isPortcullis(kind: DaemonKind): boolean {
  return kind !== 'knockd';
}

export interface DaemonOptions {
  /** Write a V8 CPU profile (node --cpu-prof) into this folder when the daemon exits. */
  readonly cpuProfileDir?: string;
  /** Appended to the daemon's arguments. */
  readonly extraArgs?: readonly string[];
}

export function daemonArgv(kind: DaemonKind, lab: Lab, configPath: string, stateDir: string, opts: DaemonOptions = {}): string[] {
  if (kind === 'knockd') {
    // -v: knockd's only foreground output; it prints every stage as a deployed
    // knockd would send it to syslog. Without -v it would print nothing at all.
    return ['knockd', '-i', lab.server.iface, '-c', configPath, '-v', ...(opts.extraArgs ?? [])];
  }
  const prof = opts.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfileDir] : [];
  // The control socket goes with the daemon's state, not to the host's /run/portcullis.
  const control = hasControlSocket() ? ['--control-socket', join(stateDir, 'control.sock')] : [];
  return [process.execPath, ...prof, PORTCULLIS_BIN, 'serve', '-c', configPath, '-i', lab.server.iface, '--state-dir', stateDir, ...control, ...(opts.extraArgs ?? [])];
}

let controlSocketOption: boolean | undefined;

/** Whether this build of `portcullis serve` has --control-socket. */
export function hasControlSocket(): boolean {
  if (controlSocketOption === undefined) {
    const r = spawnSync(process.execPath, [PORTCULLIS_BIN, 'serve', '--help'], { encoding: 'utf8', timeout: 10_000 });
    controlSocketOption = /--control-socket\b/.test(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  return controlSocketOption;
}

export class RunningDaemon<K extends string = DaemonKind> {
  readonly exited: Promise<void>;
  private done = false;

  constructor(readonly kind: K, readonly child: ChildProcess, readonly logPath: string) {
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        this.done = true;
        resolve();
      });
      child.once('error', () => {
        this.done = true;
        resolve();
      });
    });
  }

  /** `ip netns exec` execs the program in place, so this is the daemon's own PID. */
  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.kind} did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  output(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

let started = 0;

/** Starts `kind` and resolves once it says it listens (after its capture filter is installed). */
export async function startDaemon(kind: DaemonKind, lab: Lab, configPath: string, opts: DaemonOptions = {}): Promise<RunningDaemon> {
  const n = ++started;
  const stateDir = join(lab.tmp, `state-${n}`);
  mkdirSync(stateDir, { recursive: true });
  if (opts.cpuProfileDir) mkdirSync(opts.cpuProfileDir, { recursive: true });
  const logPath = join(lab.tmp, `${kind}-${n}.log`);
  const fd = openSync(logPath, 'w');
  const argv = ['ip', 'netns', 'exec', lab.ns('server'), ...daemonArgv(kind, lab, configPath, stateDir, opts)];
  let child: ChildProcess;
  try {
    child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const daemon = new RunningDaemon(kind, child, logPath);
  const deadline = performance.now() + 30_000;
  // Both print "listening on <iface>" once their capture is set up.
  const ready = new RegExp(`listening on ${lab.server.iface}`);
  while (!ready.test(daemon.output())) {
    if (!daemon.running || performance.now() > deadline) {
      await daemon.stop();
      throw new Error(`${kind} did not start listening (${argv.join(' ')})\n${daemon.output()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return daemon;
}
