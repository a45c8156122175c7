// Starting the programs under test inside a lab: portcullis (this repo's
// build) and Debian's knockd and knock, the reference implementation.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../lab.js';
import type { LabProcess } from './process.js';
import type { ExecResult } from './run.js';

/** Compiled to dist/test/e2e/lab/, four levels below the repository. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const PORTCULLIS_BIN = join(REPO_ROOT, 'bin', 'portcullis');

/** argv that runs `portcullis ...` with the node running the tests. */
export function portcullis(...args: string[]): string[] {
  return [process.execPath, PORTCULLIS_BIN, ...args];
}

let configs = 0;

/** Writes a config file into the lab's temporary folder and returns its path. */
export function writeConfig(lab: Lab, text: string, name = 'knock'): string {
  const file = join(lab.tmp, `${name}-${++configs}.conf`);
  writeFileSync(file, text);
  return file;
}

export interface ServeOptions {
  /** knockd.conf text. */
  readonly config: string;
  /** Where to write the config (to rewrite it before a SIGHUP); default: a new file in the lab's temporary folder. */
  readonly configPath?: string;
  /** Defaults to a fresh folder in the lab's temporary folder. */
  readonly stateDir?: string;
  readonly args?: readonly string[];
  readonly readyTimeoutMs?: number;
}

/** `portcullis serve` on the server's segment, resolved once it is ready for knocks. */
export async function startPortcullis(lab: Lab, opts: ServeOptions): Promise<LabProcess> {
  const stateDir = opts.stateDir ?? join(lab.tmp, `state-${++configs}`);
  mkdirSync(stateDir, { recursive: true });
  const file = opts.configPath ?? writeConfig(lab, opts.config, 'portcullis');
  if (opts.configPath) writeFileSync(file, opts.config);
  // Each daemon its own control socket, so tests side by side never share one.
  const control = (opts.args ?? []).includes('--control-socket') ? [] : ['--control-socket', join(stateDir, 'control.sock')];
  const argv = portcullis('serve', '-c', file, '-i', lab.server.iface, '--state-dir', stateDir, '-v', ...control, ...(opts.args ?? []));
  const proc = lab.spawn('server', argv, 'portcullis serve');
  await proc.waitForLine(/starting up, listening on/, opts.readyTimeoutMs ?? 20_000);
  return proc;
}

/** Debian's knockd 0.8 in the foreground; -v prints its log lines on stdout. */
export async function startKnockd(lab: Lab, config: string): Promise<LabProcess> {
  const file = writeConfig(lab, config, 'knockd');
  const proc = lab.spawn('server', ['knockd', '-i', lab.server.iface, '-c', file, '-v'], 'knockd');
  // Printed after the capture filter is installed.
  await proc.waitForLine(/^listening on /, 10_000);
  return proc;
}

/** `portcullis knock ...` from `role`; throws unless it exits 0. */
export function portcullisKnock(lab: Lab, role: string, args: readonly string[]): Promise<ExecResult> {
  return lab.mustExec(role, portcullis('knock', ...args), { timeoutMs: 30_000 });
}

/** Debian's `knock ...` from `role`; throws unless it exits 0. */
export function debianKnock(lab: Lab, role: string, args: readonly string[]): Promise<ExecResult> {
  return lab.mustExec(role, ['knock', ...args], { timeoutMs: 30_000 });
}
