#!/usr/bin/env node
// After a test run: lab namespaces (test/e2e/lab/names.ts) and temporary
// folders whose owning process has exited are leaks. Removes them (killing
// whatever still runs inside) and exits 1 so the leak gets fixed.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// pc-<test id>-<owner pid>-<random>-<role>; the temporary folder lacks the role.
const OWNED = /^pc-[a-z0-9]*-(\d+)-[0-9a-f]{4}-/;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function stale(name) {
  const m = OWNED.exec(name);
  return m !== null && !alive(Number(m[1]));
}

const leaks = [];
const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
for (const ns of (netns.stdout ?? '').split('\n').map((l) => l.split(' ')[0]).filter(Boolean)) {
  if (!stale(ns)) continue;
  leaks.push(`namespace ${ns}`);
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  for (const pid of pids.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
    leaks.push(`  process ${pid} in it`);
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
  }
  spawnSync('ip', ['netns', 'del', ns]);
}
for (const name of readdirSync(tmpdir())) {
  if (!stale(`${name}-`)) continue;
  leaks.push(`folder ${join(tmpdir(), name)}`);
  rmSync(join(tmpdir(), name), { recursive: true, force: true });
}

if (leaks.length > 0) {
  console.error(`leftovers: the tests left these behind (now removed):\n  ${leaks.join('\n  ')}`);
  process.exit(1);
}
console.log('leftovers: no namespaces, processes or folders left behind');
