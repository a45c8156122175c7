// The pid file: "%d\n" like knockd (knockd.md §1.1), written atomically, and
// refused while another live process holds it (knockd overwrote it blindly).
// A file left behind by a dead process is stale and replaced.
import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PortcullisError } from '../errors.js';
import { NodeFileStore } from '../state/atomic-file.js';

export class PidFileError extends PortcullisError {}

/** Whether a process with this id exists (signal 0 probes without sending anything). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface PidFileDeps {
  readonly isAlive?: (pid: number) => boolean;
}

const files = new NodeFileStore();

/** The pid recorded in the file, or undefined if it is missing or holds no pid. */
export function readPidFile(path: string): number | undefined {
  const text = files.read(path);
  if (text === undefined) return undefined;
  const match = /^\s*(\d+)\s*$/.exec(text);
  const pid = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Records `pid` in `path`. Throws PidFileError PIDFILE_IN_USE if the file names
 * another process that is alive, PIDFILE_WRITE if it cannot be written.
 */
export function writePidFile(path: string, pid: number = process.pid, deps: PidFileDeps = {}): void {
  const isAlive = deps.isAlive ?? processIsAlive;
  const data = `${pid}\n`;
  try {
    // Fast path: link a complete temporary file into place, which fails if the
    // name exists, so two starting daemons cannot both win.
    if (linkNew(path, data)) return;
    const holder = readPidFile(path);
    if (holder !== undefined && holder !== pid && isAlive(holder)) {
      throw new PidFileError('PIDFILE_IN_USE', `pid file ${path} belongs to running process ${holder}`);
    }
    files.writeAtomic(path, data, { mode: 0o644 });
  } catch (err) {
    if (err instanceof PidFileError) throw err;
    throw new PidFileError('PIDFILE_WRITE', `could not create pid file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Removes the pid file if it still names `pid` (a newer instance may have taken it over). */
export function removePidFile(path: string, pid: number = process.pid): void {
  if (readPidFile(path) !== pid) return;
  try { unlinkSync(path); } catch { /* already gone */ }
}

/** Creates `path` with `data` if it does not exist; false if it already does. */
function linkNew(path: string, data: string): boolean {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    try { unlinkSync(tmp); } catch { /* ignore */ }
  }
}
