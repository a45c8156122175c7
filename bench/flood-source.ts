// The spoofed-source SYN flood: hping3 in the client namespace, a bounded
// number of packets (never --flood), aimed at the door's first port. Replies
// to the random sources go nowhere: the lab has no default route.
import type { Lab } from '../test/e2e/lab.js';
import type { ExecResult } from '../test/e2e/lab.js';
import { burstRate, Sampler, type Burst } from './sampler.js';

export interface FloodSpec {
  /** hping3 -i value, e.g. "u40" (microseconds between packets, as hping3 manages it). */
  readonly interval: string;
  readonly count: number;
  readonly port: number;
}

export function hpingArgv(spec: FloodSpec, target: string): string[] {
  return ['hping3', '-q', '-S', '--rand-source', '-p', String(spec.port), '-i', spec.interval, '--count', String(spec.count), target];
}

/** Runs the flood to completion. hping3 exits 1 when nothing answered, which is the point. */
export async function runFlood(lab: Lab, spec: FloodSpec): Promise<ExecResult> {
  const r = await lab.exec('client', hpingArgv(spec, lab.server.ip4), { timeoutMs: 600_000 });
  if (r.signal || !/packets transmitted/.test(r.stdout + r.stderr)) {
    throw new Error(`hping3 failed: ${r.argv.join(' ')}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

export interface Calibration {
  readonly interval: string;
  readonly pps: number;
  readonly tried: ReadonlyArray<{ interval: string; burst: Burst }>;
}

const CANDIDATES = ['u80', 'u60', 'u50', 'u40', 'u30', 'u25', 'u20', 'u15', 'u10', 'u5'];

/**
 * hping3's real rate for a given -i depends on the machine (its sleeps
 * overshoot). Short bursts, slowest first, until one reaches `targetPps`;
 * the interval closest to the target wins. `netPid` is any process in the
 * server namespace (to read its interface counters).
 */
export async function calibrateFlood(lab: Lab, netPid: number, targetPps: number, port: number): Promise<Calibration> {
  const tried: Array<{ interval: string; burst: Burst }> = [];
  for (const interval of CANDIDATES) {
    const sampler = new Sampler(netPid, netPid, lab.server.iface, 20).start();
    await runFlood(lab, { interval, count: Math.round(targetPps * 0.6), port });
    const burst = burstRate(sampler.stop());
    tried.push({ interval, burst });
    if (burst.pps >= targetPps) break;
  }
  const best = tried.reduce((a, b) => (Math.abs(b.burst.pps - targetPps) < Math.abs(a.burst.pps - targetPps) ? b : a));
  return { interval: best.interval, pps: best.burst.pps, tried };
}
