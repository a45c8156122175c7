// Who may read and change Portcullis's files. The config names commands run
// as root and holds the knock sequences (the secret); the state directory
// holds pending stop commands (run as root) and who has access. So: writable
// by anyone but root (or the user running Portcullis) is broken, readable by
// others is a warning (knockd's Debian package ships knockd.conf 0644).
import { statSync } from 'node:fs';
import type { Finding } from './findings.js';

export type FileRole = 'config' | 'one-time sequences' | 'state directory' | 'state file';

export interface FileFacts {
  readonly kind: 'file' | 'directory' | 'missing' | 'other';
  readonly mode?: number;
  readonly uid?: number;
}

export interface FileToCheck {
  readonly path: string;
  readonly role: FileRole;
  readonly facts: FileFacts;
}

const WHY: Record<FileRole, { write: string; read: string }> = {
  'config': { write: 'whoever can change it chooses the commands Portcullis runs as root', read: 'every local user can read the knock sequences' },
  'one-time sequences': { write: 'whoever can change it chooses the sequences that open the doors', read: 'every local user can read the unused sequences' },
  'state directory': { write: 'whoever can change it plants stop commands Portcullis runs as root', read: 'every local user can see who has access' },
  'state file': { write: 'whoever can change it plants commands Portcullis runs as root', read: 'every local user can see who has access' },
};

/**
 * Judges one file's owner and mode; `me` is the uid doctor runs as, `service`
 * the packaged unit's user (`portcullis`, which owns the state directory).
 */
export function judgeFile(f: FileToCheck, me: number, service?: number): Finding {
  const base = { check: 'files' as const, subject: f.path };
  const dir = f.facts.kind === 'directory';
  if (f.facts.kind === 'missing') {
    return f.role === 'state directory'
      ? { ...base, code: 'STATE_DIR_MISSING', status: 'ok', message: `${f.role}: not there yet; serve creates it with mode 0700` }
      : { ...base, code: 'FILE_MISSING', status: 'fail', message: `${f.role}: not found`, fix: 'create it, or correct the path in the config' };
  }
  const mode = (f.facts.mode ?? 0) & 0o7777;
  const uid = f.facts.uid ?? 0;
  const octal = mode.toString(8).padStart(4, '0');
  const tight = dir ? '700' : '600';
  if (uid !== 0 && uid !== me && uid !== service) {
    return {
      ...base, code: 'FILE_OWNER', status: 'fail', message: `${f.role}: owned by uid ${uid}, who can change it: ${WHY[f.role].write}`,
      fix: `chown root:root ${f.path} && chmod ${tight} ${f.path}`,
    };
  }
  if ((mode & 0o022) !== 0) {
    return {
      ...base, code: 'FILE_WRITABLE', status: 'fail', message: `${f.role}: mode ${octal}, writable by ${mode & 0o002 ? 'every user' : 'its group'}: ${WHY[f.role].write}`,
      fix: `chmod ${tight} ${f.path}`,
    };
  }
  if ((mode & 0o007) !== 0) {
    return {
      ...base, code: 'FILE_READABLE', status: 'warn', message: `${f.role}: mode ${octal}, open to other users: ${WHY[f.role].read}`,
      fix: `chmod ${tight} ${f.path}`,
    };
  }
  return { ...base, code: 'FILE_OK', status: 'ok', message: `${f.role}: mode ${octal}, owner uid ${uid}` };
}

/** The facts of a path from the file system (following symlinks, as Portcullis does when it opens it). */
export function statFile(path: string): FileFacts {
  try {
    const s = statSync(path);
    return { kind: s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other', mode: s.mode, uid: s.uid };
  } catch {
    return { kind: 'missing' };
  }
}
