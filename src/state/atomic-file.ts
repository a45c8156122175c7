// Small files that must survive a crash whole or not at all: the grant state
// file and the pid file. Writes go to a temporary file in the same directory,
// are fsynced, then renamed over the target (rename is atomic within one
// filesystem), and the directory is fsynced so the rename itself is durable.
// The grant state files are written with writeAtomicAsync, so a burst of
// grants never blocks the event loop (and with it the capture) on fsync; the
// small files written once (pid file, one-time sequences) use the sync form.
import {
  closeSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync,
  type Stats,
} from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

export interface WriteOptions {
  /** File mode. Default: the replaced file's mode (and owner), or 0600 for a new file. */
  readonly mode?: number;
}

/** Where persistent state lives. Every method is synchronous and throws on I/O errors. */
export interface FileStore {
  /** The file's text, or undefined if it does not exist. */
  read(path: string): string | undefined;
  /** Replaces the file's content so a reader sees either the old or the new text, never a mix. */
  writeAtomic(path: string, data: string, options?: WriteOptions): void;
  /** The same, off the event loop (write, fsync and rename run on libuv's thread pool). */
  writeAtomicAsync(path: string, data: string, options?: WriteOptions): Promise<void>;
  /** Deletes the file; a missing file is not an error. */
  remove(path: string): void;
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}

export class NodeFileStore implements FileStore {
  read(path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  writeAtomic(path: string, data: string, options: WriteOptions = {}): void {
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    const old = statOrUndefined(path);
    // 'wx': never follow or reuse a file someone planted under the temporary name.
    const fd = openSync(tmp, 'wx', options.mode ?? (old ? old.mode & 0o7777 : 0o600));
    try {
      if (old && options.mode === undefined) {
        // A replaced file (e.g. a user's One_Time_Sequences) keeps its exact mode and, if we may, its owner.
        fchmodSync(fd, old.mode & 0o7777);
        try { fchownSync(fd, old.uid, old.gid); } catch { /* not permitted: keep ours */ }
      }
      const buf = Buffer.from(data, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      unlinkQuietly(tmp);
      throw err;
    }
    closeSync(fd);
    try {
      renameSync(tmp, path);
    } catch (err) {
      unlinkQuietly(tmp);
      throw err;
    }
    syncDirectory(dirname(path));
  }

  async writeAtomicAsync(path: string, data: string, options: WriteOptions = {}): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    const old = await stat(path).catch((err: unknown) => { if (isErrno(err, 'ENOENT')) return undefined; throw err; });
    // 'wx': never follow or reuse a file someone planted under the temporary name.
    const file = await open(tmp, 'wx', options.mode ?? (old ? old.mode & 0o7777 : 0o600));
    try {
      if (old && options.mode === undefined) {
        await file.chmod(old.mode & 0o7777);
        try { await file.chown(old.uid, old.gid); } catch { /* not permitted: keep ours */ }
      }
      await file.writeFile(data, 'utf8');
      await file.sync();
    } catch (err) {
      await file.close();
      unlinkQuietly(tmp);
      throw err;
    }
    await file.close();
    try {
      await rename(tmp, path);
    } catch (err) {
      unlinkQuietly(tmp);
      throw err;
    }
    const dir = await open(dirname(path), 'r').catch(() => undefined);
    if (dir) {
      try { await dir.sync(); } catch { /* EINVAL/EISDIR on some filesystems */ } finally { await dir.close(); }
    }
  }

  remove(path: string): void {
    try {
      unlinkSync(path);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    syncDirectory(dirname(path));
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

function unlinkQuietly(path: string): void {
  try { unlinkSync(path); } catch { /* already gone */ }
}

/** Makes a rename or unlink durable. Some filesystems refuse fsync on a directory; that is not fatal. */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try { fsyncSync(fd); } catch { /* EINVAL/EISDIR on some filesystems */ } finally { closeSync(fd); }
}

/** In-memory FileStore for tests. `failWrites` makes every write throw, to test error paths. */
export class MemoryFileStore implements FileStore {
  readonly files = new Map<string, string>();
  readonly modes = new Map<string, number>();
  writes = 0;
  failWrites = false;

  read(path: string): string | undefined {
    return this.files.get(path);
  }

  async writeAtomicAsync(path: string, data: string, options: WriteOptions = {}): Promise<void> {
    await Promise.resolve();
    this.writeAtomic(path, data, options);
  }

  writeAtomic(path: string, data: string, options: WriteOptions = {}): void {
    if (this.failWrites) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
    this.writes++;
    this.files.set(path, data);
    this.modes.set(path, options.mode ?? 0o600);
  }

  remove(path: string): void {
    this.files.delete(path);
    this.modes.delete(path);
  }
}
