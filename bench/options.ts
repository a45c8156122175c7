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
  /** One more Portcullis flood run under node --cpu-prof, summarised in the report. */
  readonly profile: boolean;
  /** Where the .cpuprofile goes; default a new temporary folder. */
  readonly cpuProfileDir: string | undefined;
  /** Copy each daemon's output here (the lab's copy is deleted with the lab). */
  readonly keepLogs: string | undefined;
  /** Extra arguments for a daemon, for diagnosis (e.g. portcullis -v); the report lists them. */
  readonly extraArgs: { readonly portcullis: readonly string[]; readonly knockd: readonly string[] };
}

export const USAGE = `usage: npm run bench -- [options]      (also: node dist/bench/run.js [options])
  --quick               a short run (under a minute): fewer knocks, a 4 s flood, no profile;
                        prints, writes nothing
  --knocks N            latency knocks per daemon (default 40, quick 20)        env BENCH_KNOCKS
  --flood-knocks N      legitimate knocks during the flood (default 30, quick 10) env BENCH_FLOOD_KNOCKS
  --flood-seconds S     flood length (default 20, quick 4)                      env BENCH_FLOOD_SECONDS
  --rate PPS            flood rate to aim for (default 20000)                   env BENCH_RATE
  --interval uN         hping3 -i value, skipping calibration                   env BENCH_INTERVAL
  --window MS           how long a knock may take to open (default 2000)
  --only NAME           portcullis or knockd (repeatable)                       env BENCH_ONLY=a,b
  --out FILE            write the report here (default docs/benchmarks.md for a full run)
  --no-write            print only
  --no-profile          skip the extra Portcullis flood under node --cpu-prof (a full run
                        does it and puts a summary into the report)
  --cpu-prof DIR        keep the .cpuprofile in DIR (also makes a quick run profile) env BENCH_CPU_PROF
  --keep-logs DIR       copy each daemon's output to DIR                        env BENCH_KEEP_LOGS
  BENCH_PORTCULLIS_ARGS, BENCH_KNOCKD_ARGS: extra daemon arguments (space-separated), for
                        diagnosis only; the report lists them.
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
  const noProfile = flag('--no-profile');
  const only = [...values('--only'), ...(env.BENCH_ONLY ? env.BENCH_ONLY.split(',') : [])].map((s) => s.trim()).filter((s) => s !== '');
  for (const d of only) if (!DAEMONS.includes(d as DaemonKind)) throw new UsageError(`--only: unknown daemon ${d} (portcullis, knockd)`);
  const interval = value('--interval', 'BENCH_INTERVAL');
  if (interval !== undefined && !/^u?\d+$/.test(interval)) throw new UsageError(`--interval: expected uN (microseconds) or N (seconds), not ${interval}`);
  const out = value('--out');
  let options: BenchOptions = {
    quick,
    latencyKnocks: int('--knocks', 'BENCH_KNOCKS', quick ? 20 : 40, 1),
    floodKnocks: int('--flood-knocks', 'BENCH_FLOOD_KNOCKS', quick ? 10 : 30, 1),
    floodSeconds: int('--flood-seconds', 'BENCH_FLOOD_SECONDS', quick ? 4 : 20, 1),
    floodPps: int('--rate', 'BENCH_RATE', 20_000, 100),
    floodInterval: interval,
    windowMs: int('--window', undefined, 2000, 100),
    daemons: only.length > 0 ? DAEMONS.filter((d) => only.includes(d)) : DAEMONS,
    out: noWrite ? undefined : out ?? (quick ? undefined : defaultOut),
    profile: false,
    cpuProfileDir: value('--cpu-prof', 'BENCH_CPU_PROF') || undefined,
    keepLogs: value('--keep-logs', 'BENCH_KEEP_LOGS') || undefined,
    extraArgs: { portcullis: words(env.BENCH_PORTCULLIS_ARGS), knockd: words(env.BENCH_KNOCKD_ARGS) },
  };
  options = { ...options, profile: !noProfile && (options.cpuProfileDir !== undefined || !quick) };
  if (args.length > 0) throw new UsageError(`unknown argument: ${args.join(' ')}`);
  return options;
}

function words(v: string | undefined): string[] {
  return (v ?? '').split(/\s+/).filter((w) => w !== '');
}
