// Where Portcullis keeps state that must outlive the process (pending stop
// commands). Precedence: --state-dir, then [options] StateDir, then systemd's
// $STATE_DIRECTORY (StateDirectory= in the unit), then /var/lib/portcullis.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PortcullisError } from '../errors.js';

export const DEFAULT_STATE_DIR = '/var/lib/portcullis';

/** The grant state file inside a state directory. */
export const GRANTS_FILE = 'grants.json';

export class StateDirError extends PortcullisError {}

export function resolveStateDir(cliArg?: string, configDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (cliArg) return cliArg;
  if (configDir) return configDir;
  // systemd passes one absolute path per StateDirectory= entry, colon-separated (systemd.exec(5)).
  const fromSystemd = env['STATE_DIRECTORY']?.split(':').find((p) => p !== '');
  if (fromSystemd) return fromSystemd;
  return DEFAULT_STATE_DIR;
}

export function grantsPath(stateDir: string): string {
  return join(stateDir, GRANTS_FILE);
}

/** The firewall grant state file (src/grants/state-file.ts) inside a state directory. */
export function firewallGrantsPath(stateDir: string): string {
  return join(stateDir, 'firewall-grants.json');
}

/** Creates the directory (and parents) with mode 0700 if missing; an existing directory is left as it is. */
export function ensureStateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StateDirError('STATE_DIR_CREATE', `cannot create state directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (!statSync(dir).isDirectory()) {
    throw new StateDirError('STATE_DIR_NOT_A_DIRECTORY', `state directory ${dir} is not a directory`);
  }
}
