// When an address lands in a grant set (the bench set the start command
// fills, or the nftables backend's grants4), as seen by `nft monitor` in the
// server namespace. nft monitor prints no timestamps; each line is stamped
// on arrival (see timed-lines.ts).
import type { Lab, LabProcess } from '../test/e2e/lab.js';
import { WATCHED_SETS, addElementArgv, deleteElementArgv } from './ruleset.js';
import { onTimedLines } from './timed-lines.js';
import type { WallClock } from './wall-clock.js';

export interface ElementEvent {
  readonly op: 'add' | 'delete';
  /** "inet bench allowed" or "inet portcullis grants4". */
  readonly set: string;
  readonly ips: string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SETS = WATCHED_SETS.map((s) => escape(`${s.table} ${s.set}`)).join('|');
const EVENT = new RegExp(`^(add|delete) element (${SETS}) \\{ (.*) \\}\\s*$`);

/** Parses one `nft monitor` line; undefined for anything but the watched sets' elements. */
export function parseMonitorLine(line: string): ElementEvent | undefined {
  const m = EVENT.exec(line.trim());
  if (!m) return undefined;
  // "10.0.0.1, 10.0.0.2"; with timeouts "10.0.0.1 timeout 10s expires 9s";
  // concatenated keys "10.0.0.1 . tcp . 22 timeout 30s expires 30s": the address is the first word.
  const ips = (m[3] ?? '').split(',').map((e) => e.trim().split(/\s+/)[0] ?? '').filter((e) => e !== '');
  return { op: m[1] as 'add' | 'delete', set: m[2] as string, ips };
}

export class ElementWatch {
  private readonly adds = new Map<string, number[]>();
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly proc: LabProcess) {}

  /** Starts `nft monitor` and proves it is listening by adding and removing `probeIp`. */
  static async start(lab: Lab, clock: WallClock, probeIp: string): Promise<ElementWatch> {
    const proc = lab.spawn('server', ['nft', 'monitor', 'elements'], 'nft monitor');
    const watch = new ElementWatch(proc);
    const stdout = proc.child.stdout;
    if (!stdout) throw new Error('nft monitor has no stdout');
    onTimedLines(stdout, clock, (line, at) => watch.onLine(line, at));
    for (let i = 0; ; i++) {
      const since = clock.now();
      await lab.mustExec('server', addElementArgv(probeIp));
      const seen = await watch.waitForAdd(probeIp, since, 500);
      await lab.mustExec('server', deleteElementArgv(probeIp));
      if (seen !== undefined) return watch;
      if (i === 20 || !proc.running) throw new Error(`nft monitor does not report set changes\n${proc.output()}`);
    }
  }

  /** Wall-clock times at which `ip` was added, from `since` on. */
  addsOf(ip: string, since = 0): number[] {
    return (this.adds.get(ip) ?? []).filter((t) => t >= since);
  }

  /** The first time `ip` was added at or after `since`, waiting up to `timeoutMs`. */
  waitForAdd(ip: string, since: number, timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const check = () => {
        const hit = this.addsOf(ip, since)[0];
        if (hit === undefined) return false;
        done(hit);
        return true;
      };
      const done = (v: number | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(v);
      };
      const wake = () => void check();
      const timer = setTimeout(() => done(undefined), timeoutMs);
      if (!check()) this.waiters.add(wake);
    });
  }

  stop(): void {
    this.proc.kill();
  }

  private onLine(line: string, at: number): void {
    const e = parseMonitorLine(line);
    if (!e || e.op !== 'add') return;
    for (const ip of e.ips) {
      const list = this.adds.get(ip) ?? [];
      list.push(at);
      this.adds.set(ip, list);
    }
    for (const w of [...this.waiters]) w();
  }
}
