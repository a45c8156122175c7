// `npm run bench`: Portcullis and Debian's knockd side by side in one lab.
// Scenario 1 measures knock-to-open latency, scenario 2 a spoofed-source SYN
// flood with a legitimate client knocking through it. Prints a summary and
// writes docs/benchmarks.md (see options.ts for shorter runs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { labSkipReason, REPO_ROOT } from '../test/e2e/lab.js';
import { readProfile, newestProfile, type ProfileSummary } from './cpu-profile.js';
import { startDaemon, type DaemonKind } from './daemons.js';
import { measureFlood, type FloodRun } from './flood.js';
import { calibrateFlood, type Calibration, type FloodSpec } from './flood-source.js';
import { measureLatency } from './latency.js';
import { describeMachine } from './machine.js';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './options.js';
import { renderConsole, renderMarkdown } from './report.js';
import { countLogLines, type DaemonResult, type LogCounts } from './results.js';
import { SEQUENCE } from './ruleset.js';
import { buildScene, type Scene } from './scene.js';
import type { KnockResult } from './knock-result.js';
import { summarize } from './stats.js';
import { ms } from './format.js';

const PROGRAMS = ['nft', 'tcpdump', 'hping3', 'knockd', 'knock'];

export async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    const parsed = parseOptions(argv, process.env, join(REPO_ROOT, 'docs', 'benchmarks.md'));
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    options = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench: ${err.message}\n${USAGE}`);
    return 2;
  }
  const cannot = labSkipReason(PROGRAMS);
  if (cannot) {
    console.error(`bench: cannot run: ${cannot}`);
    return 2;
  }

  const startedAt = new Date();
  const t0 = performance.now();
  const machine = describeMachine();
  progress(`machine: ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAtStart.toFixed(2)}`);
  const scene = await buildScene();
  const results = new Map<DaemonKind, { latency?: KnockResult[]; flood?: FloodRun; floodLog?: LogCounts }>();
  for (const kind of options.daemons) results.set(kind, {});
  let calibration: Calibration | undefined;
  let interval = options.floodInterval;
  let profile: ProfileSummary | undefined;
  try {
    for (const kind of options.daemons) {
      const r = results.get(kind) ?? {};
      r.latency = await latencyScenario(scene, kind, options);
    }
    if (interval === undefined) {
      progress(`calibrating hping3 for ${options.floodPps} packets/s`);
      calibration = await calibrateFlood(scene.lab, anchorPid(scene), options.floodPps, SEQUENCE[0]);
      interval = calibration.interval;
      progress(`  -i ${interval}: ${Math.round(calibration.pps)} packets/s`);
    }
    const spec: FloodSpec = { interval, count: options.floodPps * options.floodSeconds, port: SEQUENCE[0] };
    for (const kind of options.daemons) {
      const r = results.get(kind) ?? {};
      const { flood, log } = await floodScenario(scene, kind, options, spec);
      r.flood = flood;
      r.floodLog = log;
    }
    if (options.cpuProfileDir && options.daemons.includes('portcullis')) {
      profile = await profileScenario(scene, options, spec, resolve(options.cpuProfileDir));
    }
  } finally {
    await scene.close();
  }

  const report = {
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    machine,
    options,
    ...(calibration ? { calibration } : {}),
    ...(interval ? { floodInterval: interval } : {}),
    results: [...results].map(([kind, r]): DaemonResult => ({ kind, ...r })),
    ...(profile ? { profile } : {}),
  };
  console.log(renderConsole(report));
  if (options.out) {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, renderMarkdown(report));
    console.log(`wrote ${options.out}`);
  }
  return 0;
}

async function latencyScenario(scene: Scene, kind: DaemonKind, o: BenchOptions): Promise<KnockResult[]> {
  progress(`latency: ${kind}, ${o.latencyKnocks} knocks`);
  scene.tools.knocker.reserve(o.latencyKnocks);
  const daemon = await startDaemon(kind, scene.lab, scene.configPath);
  try {
    const knocks = await measureLatency(scene.lab, scene.tools, { knocks: o.latencyKnocks, windowMs: o.windowMs });
    const s = summarize(knocks.flatMap((k) => (k.latencyMs === undefined ? [] : [k.latencyMs])));
    progress(`  opened ${knocks.filter((k) => k.opened).length}/${knocks.length}, p50 ${ms(s.p50)}, p90 ${ms(s.p90)}, max ${ms(s.max)}`);
    return knocks;
  } finally {
    await daemon.stop();
    await scene.flushSet();
  }
}

async function floodScenario(scene: Scene, kind: DaemonKind, o: BenchOptions, spec: FloodSpec): Promise<{ flood: FloodRun; log: LogCounts }> {
  progress(`flood: ${kind}, ${spec.count} packets (hping3 -i ${spec.interval}), ${o.floodKnocks} knocks`);
  scene.tools.knocker.reserve(o.floodKnocks);
  const daemon = await startDaemon(kind, scene.lab, scene.configPath);
  try {
    const flood = await measureFlood(scene.lab, daemon, scene.tools, { spec, knocks: o.floodKnocks, windowMs: o.windowMs, seconds: o.floodSeconds });
    const opened = flood.knocks.filter((k) => k.opened).length;
    progress(`  ${Math.round(flood.offered.pps)} packets/s; opened ${opened}/${flood.knocks.length}; CPU ${flood.cpuSeconds.toFixed(2)} s; RSS ${(flood.rssKb.start / 1024).toFixed(1)} → ${(flood.rssKb.end / 1024).toFixed(1)} MB (peak ${(flood.rssKb.peak / 1024).toFixed(1)})`);
    return { flood, log: countLogLines(daemon.output()) };
  } finally {
    await daemon.stop();
    await scene.flushSet();
  }
}

async function profileScenario(scene: Scene, o: BenchOptions, spec: FloodSpec, dir: string): Promise<ProfileSummary | undefined> {
  progress(`profile: portcullis under node --cpu-prof (${dir})`);
  scene.tools.knocker.reserve(o.floodKnocks);
  const daemon = await startDaemon('portcullis', scene.lab, scene.configPath, { cpuProfileDir: dir });
  try {
    await measureFlood(scene.lab, daemon, scene.tools, { spec, knocks: o.floodKnocks, windowMs: o.windowMs, seconds: o.floodSeconds });
  } finally {
    // The profile is written when node exits normally, i.e. after SIGTERM's clean shutdown.
    await daemon.stop(15_000);
    await scene.flushSet();
  }
  const file = newestProfile(dir);
  if (!file) {
    progress('  no profile was written (did portcullis exit cleanly on SIGTERM?)');
    return undefined;
  }
  return readProfile(file);
}

function anchorPid(scene: Scene): number {
  const pid = scene.anchor.pid;
  if (pid === undefined) throw new Error('the server namespace anchor did not start');
  return pid;
}

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`bench: failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
