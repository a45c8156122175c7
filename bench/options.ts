// Command-line and environment options of `npm run bench`.
import { MAX_BURST } from './burst.js';
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
  /** Distinct clients in the burst scenario; 0: no burst. */
  readonly burstSources: number;
  /** How long after the burst's first SYN grants are counted. */
  readonly burstWindowMs: number;
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
  /** Run the SPA section (Portcullis's SPA door and fwknopd). */
  readonly spa: boolean;
  /** Only the SPA section: no knock latency, flood or burst. */
  readonly spaOnly: boolean;
  /** Valid SPA packets in the SPA latency scenario, per daemon. */
  readonly spaPackets: number;
  /** Length of the SPA flood. */
  readonly spaFloodSeconds: number;
  /** Upper bound on the SPA flood's datagrams. */
  readonly spaFloodCount: number;
  /** The SPA flood's paced rate, datagrams/s; 0: as fast as the generator can. */
  readonly spaFloodRate: number;
  /** Valid packets during the SPA flood, per daemon. */
  readonly spaFloodValid: number;
}

/** Both Portcullis variants get BENCH_PORTCULLIS_ARGS. */
export function extraArgsFor(o: BenchOptions, kind: DaemonKind): readonly string[] {
  return kind === 'knockd' ? o.extraArgs.knockd : o.extraArgs.portcullis;
}

export const USAGE = `usage: npm run bench -- [options]      (also: node dist/bench/run.js [options])
  --quick               a short run (about a minute): fewer knocks, a 4 s flood, a shorter
                        burst window, no profile; prints, writes nothing
  --knocks N            latency knocks per daemon (default 40, quick 20)        env BENCH_KNOCKS
  --flood-knocks N      legitimate knocks during the flood (default 30, quick 10) env BENCH_FLOOD_KNOCKS
  --flood-seconds S     flood length (default 20, quick 4)                      env BENCH_FLOOD_SECONDS
  --rate PPS            flood rate to aim for (default 20000)                   env BENCH_RATE
  --interval uN         hping3 -i value, skipping calibration                   env BENCH_INTERVAL
  --window MS           how long a knock may take to open (default 2000)
  --burst N             distinct clients knocking at once, 1-${MAX_BURST} (default ${MAX_BURST})   env BENCH_BURST
  --burst-window MS     how long the burst's grants are counted, from its first SYN
                        (default 20000, quick 10000)                            env BENCH_BURST_WINDOW
  --no-burst            skip the burst (same as --burst 0)
  --only NAME           portcullis (start command), portcullis-nft (nftables backend)
                        or knockd (repeatable)                                  env BENCH_ONLY=a,b
  --out FILE            write the report here (default docs/benchmarks.md for a full run)
  --no-write            print only
  --no-profile          skip the extra Portcullis flood under node --cpu-prof (a full run
                        does it and puts a summary into the report)
  --cpu-prof DIR        keep the .cpuprofile in DIR (also makes a quick run profile) env BENCH_CPU_PROF
  --keep-logs DIR       copy each daemon's output to DIR                        env BENCH_KEEP_LOGS
  --no-spa              skip the SPA section (Portcullis's SPA door vs fwknopd 2.6.10)
  --spa-only            run only the SPA section (for quick iteration; writes nothing
                        unless --out is given)
  --spa-packets N       valid SPA packets per daemon, latency (default 40, quick 20) env BENCH_SPA_PACKETS
  --spa-flood-seconds S SPA flood length (default 10, quick 4)                  env BENCH_SPA_FLOOD_SECONDS
  --spa-flood-count N   at most N flood datagrams (default 5000000)             env BENCH_SPA_FLOOD_COUNT
  --spa-flood-rate PPS  SPA flood rate the generator paces itself to; 0: as fast as
                        it can (default 60000)                                  env BENCH_SPA_FLOOD_RATE
  --spa-flood-valid N   valid SPA packets during the flood (default 10)         env BENCH_SPA_FLOOD_VALID
  BENCH_PORTCULLIS_ARGS, BENCH_KNOCKD_ARGS: extra daemon arguments (space-separated), for
                        diagnosis only (both Portcullis variants get the first); the report
                        lists them.
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
  const noBurst = flag('--no-burst');
  const noSpa = flag('--no-spa');
  const spaOnly = flag('--spa-only');
  if (noSpa && spaOnly) throw new UsageError('--no-spa and --spa-only exclude each other');
  const only = [...values('--only'), ...(env.BENCH_ONLY ? env.BENCH_ONLY.split(',') : [])].map((s) => s.trim()).filter((s) => s !== '');
  for (const d of only) if (!DAEMONS.includes(d as DaemonKind)) throw new UsageError(`--only: unknown daemon ${d} (${DAEMONS.join(', ')})`);
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
    burstSources: int('--burst', 'BENCH_BURST', MAX_BURST, 0),
    burstWindowMs: int('--burst-window', 'BENCH_BURST_WINDOW', quick ? 10_000 : 20_000, 1000),
    daemons: only.length > 0 ? DAEMONS.filter((d) => only.includes(d)) : DAEMONS,
    out: noWrite ? undefined : out ?? (quick || spaOnly ? undefined : defaultOut),
    profile: false,
    cpuProfileDir: value('--cpu-prof', 'BENCH_CPU_PROF') || undefined,
    keepLogs: value('--keep-logs', 'BENCH_KEEP_LOGS') || undefined,
    extraArgs: { portcullis: words(env.BENCH_PORTCULLIS_ARGS), knockd: words(env.BENCH_KNOCKD_ARGS) },
    spa: !noSpa,
    spaOnly,
    spaPackets: int('--spa-packets', 'BENCH_SPA_PACKETS', quick ? 20 : 40, 1),
    spaFloodSeconds: int('--spa-flood-seconds', 'BENCH_SPA_FLOOD_SECONDS', quick ? 4 : 10, 1),
    spaFloodCount: int('--spa-flood-count', 'BENCH_SPA_FLOOD_COUNT', 5_000_000, 1),
    spaFloodRate: int('--spa-flood-rate', 'BENCH_SPA_FLOOD_RATE', 60_000, 0),
    spaFloodValid: int('--spa-flood-valid', 'BENCH_SPA_FLOOD_VALID', 10, 1),
  };
  if (options.burstSources > MAX_BURST) throw new UsageError(`--burst must be at most ${MAX_BURST}, not ${options.burstSources}`);
  options = {
    ...options,
    profile: !spaOnly && !noProfile && (options.cpuProfileDir !== undefined || !quick),
    ...(noBurst || spaOnly ? { burstSources: 0 } : {}),
  };
  if (args.length > 0) throw new UsageError(`unknown argument: ${args.join(' ')}`);
  return options;
}

function words(v: string | undefined): string[] {
  return (v ?? '').split(/\s+/).filter((w) => w !== '');
}
