// Namespace names: unique per lab and traceable to the process that made
// them, so a later run can remove what a killed run left behind.
import { randomBytes } from 'node:crypto';
import { runSync } from './run.js';

const PREFIX = 'pc-';
// pc-<test id>-<owner pid>-<random>-<role>
const OWNED = /^pc-[a-z0-9]*-(\d+)-[0-9a-f]{4}-/;

export function labName(testId: string): string {
  const id = testId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 6) || 'lab';
  return `${PREFIX}${id}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

export function listNamespaces(): string[] {
  const { stdout } = runSync(['ip', 'netns', 'list']);
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/** Kills every process still inside `ns` (a daemon's children too), then deletes it. */
export function removeNamespace(ns: string): void {
  const { stdout } = runSync(['ip', 'netns', 'pids', ns]);
  for (const pid of stdout.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  runSync(['ip', 'netns', 'del', ns]);
}

/** Removes lab namespaces whose owning process no longer exists. */
export function sweepStaleNamespaces(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const m = OWNED.exec(ns);
    if (!m || isAlive(Number(m[1]))) continue;
    removeNamespace(ns);
    removed.push(ns);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
