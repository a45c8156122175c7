// The control socket's file: created root-only without a window in which
// others could connect, a stale one (left by a daemon that died) replaced, a
// live one (another daemon answering) never stolen, removed on close only if
// it is still ours.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { ControlError } from './errors.js';

export type SocketState = 'absent' | 'stale' | 'live' | 'not-a-socket';

/** The socket file we bound, to tell it from one that replaced it later. */
export interface BoundSocket {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

/** What is at `path`: a socket nobody answers on is stale; one that accepts (or does not refuse) a connection is live. */
export async function probeSocket(path: string, timeoutMs = 1000): Promise<SocketState> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw createError(path, err);
  }
  if (!isSocket) return 'not-a-socket';
  return new Promise((resolve) => {
    const conn = createConnection(path);
    const done = (state: SocketState) => {
      clearTimeout(timer);
      conn.destroy();
      resolve(state);
    };
    // No answer either way: something holds it (a stopped daemon); leave it alone.
    const timer = setTimeout(() => done('live'), timeoutMs);
    conn.once('connect', () => done('live'));
    conn.once('error', (err: NodeJS.ErrnoException) => {
      // Only a refusal proves nobody listens; EAGAIN (backlog full) and the rest mean someone might.
      done(err.code === 'ECONNREFUSED' ? 'stale' : err.code === 'ENOENT' ? 'absent' : 'live');
    });
  });
}

/**
 * Makes `server` listen on `path` with mode 0600. The socket is bound inside a
 * fresh 0700 directory next to `path`, chmod'ed, then renamed into place, so
 * it is never reachable with looser permissions, whatever the umask and the
 * parent directory's mode; the rename also replaces a stale socket atomically.
 */
export async function listenPrivate(server: Server, path: string): Promise<BoundSocket> {
  const dir = dirname(path);
  try {
    // Only directories created here get 0700; an existing one keeps its mode.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw createError(path, err);
    throw new ControlError('CONTROL_SOCKET_CREATE', `cannot create the control socket ${path}: ${(err as NodeJS.ErrnoException).path ?? dir} is not a directory`, [], { cause: err });
  }
  const state = await probeSocket(path);
  if (state === 'live') throw new ControlError('CONTROL_SOCKET_IN_USE', `another process answers on ${path} (is another portcullis serve running?); not taking it over`);
  if (state === 'not-a-socket') throw new ControlError('CONTROL_SOCKET_NOT_A_SOCKET', `${path} exists and is not a socket; not replacing it`);
  let tmp: string | undefined;
  try {
    tmp = mkdtempSync(join(dir, '.pc-'));
    const staging = join(tmp, 's');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(staging, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(staging, 0o600);
    renameSync(staging, path);
    const st = statSync(path);
    return { path, dev: st.dev, ino: st.ino };
  } catch (err) {
    if (server.listening) server.close();
    throw createError(path, err);
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
}

/** Deletes the socket file if it is still the one we bound (a newer daemon's is left alone). */
export function removeIfOurs(bound: BoundSocket): void {
  try {
    const st = lstatSync(bound.path);
    if (st.dev === bound.dev && st.ino === bound.ino) unlinkSync(bound.path);
  } catch {
    // already gone
  }
}

function createError(path: string, err: unknown): ControlError {
  const e = err as NodeJS.ErrnoException;
  const hint = e.code === 'EACCES' || e.code === 'EPERM' ? ' (permission denied: the daemon needs write access to its directory)' : '';
  return new ControlError('CONTROL_SOCKET_CREATE', `cannot create the control socket ${path}: ${e.message}${hint}`, [], { cause: err });
}
