// For tests that run the built program (or part of it) as an unprivileged
// uid: a copy that uid can read. A checkout below a 0700 folder (`mktemp -d`,
// a home directory) is out of its reach, and CI may clone into one.
// Copies bin/, dist/src/, package.json ("type": "module") and the cap binding.
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: this file is dist/src/util/readable-copy.js. */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PARTS = ['bin', 'dist/src', 'package.json', 'node_modules/cap'];

export interface ReadableCopy {
  readonly root: string;
  /** root/bin/portcullis */
  readonly bin: string;
  remove(): void;
}

export function readableCopy(): ReadableCopy {
  const root = mkdtempSync(join(tmpdir(), 'portcullis-copy-'));
  for (const part of PARTS) {
    if (existsSync(join(REPO, part))) cpSync(join(REPO, part), join(root, part), { recursive: true });
  }
  openUp(root);
  return { root, bin: join(root, 'bin', 'portcullis'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Folders 0755, files 0644 (0755 if executable): a umask of 077 in the checkout must not follow. */
function openUp(path: string): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) openUp(join(path, name));
  } else chmodSync(path, st.mode & 0o100 ? 0o755 : 0o644);
}
