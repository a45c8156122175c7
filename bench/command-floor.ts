// A reference point for the latency table: the start command on its own.
// A shell in the server namespace prints the wall-clock time and then execs
// `sh -c "nft add element ..."`, which is what both daemons run; the time
// until nft monitor reports the element is the part of every knock-to-open
// latency that no daemon can save.
import { spawn } from 'node:child_process';
import type { Lab } from '../test/e2e/lab.js';
import type { ElementWatch } from './element-watch.js';
import { START_COMMAND, addElementArgv, deleteElementArgv } from './ruleset.js';
import type { WallClock } from './wall-clock.js';

export async function measureCommandFloor(lab: Lab, watch: ElementWatch, ip: string, runs: number): Promise<number[]> {
  const command = START_COMMAND.replace('%IP%', ip);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await lab.mustExec('server', ['sh', '-c', `date +%s.%N; exec sh -c '${command}'`]);
    const printed = parseDate(r.stdout);
    const added = await watch.waitForAdd(ip, printed, 2000);
    if (added !== undefined) out.push(added - printed);
    await lab.mustExec('server', deleteElementArgv(ip));
  }
  return out;
}

/** `date +%s.%N` output → wall-clock milliseconds. */
export function parseDate(stdout: string): number {
  const m = /^(\d+)\.(\d{9})$/m.exec(stdout.trim());
  if (!m) throw new Error(`unexpected date output: ${stdout}`);
  return Number(m[1]) * 1000 + Number(m[2]) / 1e6;
}

/**
 * The same for the nftables backend's way of writing: the element as one line
 * to an `nft -i` that is already running (as Portcullis keeps one), from the
 * write to the monitor line.
 */
export async function measureChannelFloor(lab: Lab, watch: ElementWatch, clock: WallClock, ip: string, runs: number): Promise<number[]> {
  const child = spawn('ip', ['netns', 'exec', lab.ns('server'), 'nft', '-i'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const out: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < runs; i++) {
      const since = clock.now();
      child.stdin.write(`${addElementArgv(ip).slice(1).join(' ')}\n`);
      const added = await watch.waitForAdd(ip, since, 2000);
      if (added !== undefined) out.push(added - since);
      await lab.mustExec('server', deleteElementArgv(ip));
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    clearTimeout(timer);
  }
  return out;
}
