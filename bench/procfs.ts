// What /proc says about a process: resident memory, CPU time, and the packet
// counters of its network namespace (/proc/PID/net/dev shows the namespace
// the process lives in, so a daemon's PID reads the server's interfaces).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface CpuTicks {
  /** utime + stime: the process itself. */
  readonly self: number;
  /** cutime + cstime: children it has waited for (the door commands). */
  readonly children: number;
}

export interface NetCounters {
  readonly rxPackets: number;
  readonly rxDropped: number;
  readonly txPackets: number;
}

/** Fields 14-17 of /proc/PID/stat. The command name may hold spaces and ')'; fields start after the last ')'. */
export function parseStat(text: string): CpuTicks {
  const rest = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const field = (n: number) => Number(rest[n - 3]);
  return { self: field(14) + field(15), children: field(16) + field(17) };
}

/** VmRSS from /proc/PID/status, in kB. */
export function parseRssKb(text: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  if (!m) throw new Error('no VmRSS line (a kernel thread or a zombie?)');
  return Number(m[1]);
}

/** One interface's counters from /proc/net/dev. */
export function parseNetDev(text: string, iface: string): NetCounters | undefined {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() !== iface) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    // rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes packets ...
    return { rxPackets: f[1] ?? 0, rxDropped: f[3] ?? 0, txPackets: f[9] ?? 0 };
  }
  return undefined;
}

export function readCpu(pid: number): CpuTicks {
  return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

export function readRssKb(pid: number): number {
  return parseRssKb(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

export function readNet(pid: number, iface: string): NetCounters {
  const counters = parseNetDev(readFileSync(`/proc/${pid}/net/dev`, 'utf8'), iface);
  if (!counters) throw new Error(`no interface ${iface} in the namespace of process ${pid}`);
  return counters;
}

let clockTicks: number | undefined;

/** Ticks per second of the CPU times in /proc (CLK_TCK, almost always 100). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

/** The `Tcp:` counters of /proc/net/snmp (a header line of names, then a line of values). */
export function parseSnmpTcp(text: string): Record<string, number> {
  const lines = text.split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = (lines[0] ?? '').split(/\s+/).slice(1);
  const values = (lines[1] ?? '').split(/\s+/).slice(1).map(Number);
  const out: Record<string, number> = {};
  names.forEach((n, i) => (out[n] = values[i] ?? NaN));
  return out;
}

/** TCP counters of the namespace process `pid` lives in. */
export function readSnmpTcp(pid: number): Record<string, number> {
  return parseSnmpTcp(readFileSync(`/proc/${pid}/net/snmp`, 'utf8'));
}
