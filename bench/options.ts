// Command-line and environment options of `npm run bench`.
import { DAEMONS, type DaemonKind } from './daemons.js';

export interface BenchOptions {
  readonly quick: boolean;
  /** Knocks in the latency scenario, per daemon (at least 20 for a report). */
  readonly latencyKnocks: number;
  /** Legitimate knocks during the flood, per daemon. */
  readonly floodKnocks: number;
  readonly floodSeconds: number;
  /** Flood rate to aim for; the real rate is measured and reported. */
  readonly floodPps: number;
  /** A fixed hping3 -i value (e.g. u40) instead of calibrating. */
  readonly floodInterval: string | undefined;
  /** How long after a knock its element must appear. */
  readonly windowMs: number;
  readonly daemons: readonly DaemonKind[];
  /** Where to write the markdown report; undefined: print only. */
  readonly out: string | undefined;
  /** Folder for an extra, profiled Portcullis flood run (node --cpu-prof). */
  readonly cpuProfileDir: string | undefined;
}

export const USAGE = `usage: npm run bench -- [options]      (also: node dist/bench/run.js [options])
  --quick               a short run (about a minute): fewer knocks, a 4 s flood; prints, writes nothing
  --knocks N            latency knocks per daemon (default 40, quick 20)        env BENCH_KNOCKS
  --flood-knocks N      legitimate knocks during the flood (default 20, quick 10) env BENCH_FLOOD_KNOCKS
  --flood-seconds S     flood length (default 10, quick 4)                      env BENCH_FLOOD_SECONDS
  --rate PPS            flood rate to aim for (default 20000)                   env BENCH_RATE
  --interval uN         hping3 -i value, skipping calibration                   env BENCH_INTERVAL
  --window MS           how long a knock may take to open (default 2000)
  --only NAME           portcullis or knockd (repeatable)                       env BENCH_ONLY=a,b
  --out FILE            write the report here (default docs/benchmarks.md for a full run)
  --no-write            print only
  --cpu-prof DIR        afterwards, one more Portcullis flood under node --cpu-prof; the summary
                        goes into the report, the .cpuprofile into DIR          env BENCH_CPU_PROF
  BENCH_QUICK=1 is the same as --quick.`;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv, defaultOut: string): BenchOptions | 'help' {
  const args = [...argv];
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return false;
    args.splice(i, 1);
    return true;
  };
  const values = (name: string): string[] => {
    const out: string[] = [];
    for (let i = args.indexOf(name); i >= 0; i = args.indexOf(name)) {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
      out.push(v);
      args.splice(i, 2);
    }
    return out;
  };
  const value = (name: string, envName?: string) => values(name).pop() ?? (envName ? env[envName] : undefined);
  const int = (name: string, envName: string | undefined, fallback: number, min: number) => {
    const v = value(name, envName);
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number ≥ ${min}, not ${v}`);
    return n;
  };

  if (flag('--help') || flag('-h')) return 'help';
  const quick = flag('--quick') || env.BENCH_QUICK === '1';
  const noWrite = flag('--no-write');
  const only = [...values('--only'), ...(env.BENCH_ONLY ? env.BENCH_ONLY.split(',') : [])].map((s) => s.trim()).filter((s) => s !== '');
  for (const d of only) if (!DAEMONS.includes(d as DaemonKind)) throw new UsageError(`--only: unknown daemon ${d} (portcullis, knockd)`);
  const interval = value('--interval', 'BENCH_INTERVAL');
  if (interval !== undefined && !/^u?\d+$/.test(interval)) throw new UsageError(`--interval: expected uN (microseconds) or N (seconds), not ${interval}`);
  const out = value('--out');
  const options: BenchOptions = {
    quick,
    latencyKnocks: int('--knocks', 'BENCH_KNOCKS', quick ? 20 : 40, 1),
    floodKnocks: int('--flood-knocks', 'BENCH_FLOOD_KNOCKS', quick ? 10 : 20, 1),
    floodSeconds: int('--flood-seconds', 'BENCH_FLOOD_SECONDS', quick ? 4 : 10, 1),
    floodPps: int('--rate', 'BENCH_RATE', 20_000, 100),
    floodInterval: interval,
    windowMs: int('--window', undefined, 2000, 100),
    daemons: only.length > 0 ? DAEMONS.filter((d) => only.includes(d)) : DAEMONS,
    out: noWrite ? undefined : out ?? (quick ? undefined : defaultOut),
    cpuProfileDir: value('--cpu-prof', 'BENCH_CPU_PROF') || undefined,
  };
  if (args.length > 0) throw new UsageError(`unknown argument: ${args.join(' ')}`);
  return options;
}
