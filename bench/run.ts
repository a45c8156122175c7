// `npm run bench`: Portcullis (with a start command, and with its nftables
// backend) and Debian's knockd side by side in one lab. Scenario 1 measures
// knock-to-open latency, scenario 2 a spoofed-source SYN flood with a
// legitimate client knocking through it, scenario 3 a burst of distinct
// clients knocking at once. Prints a summary and writes docs/benchmarks.md
// (see options.ts for shorter runs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { labSkipReason, REPO_ROOT } from '../test/e2e/lab.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { BurstRun } from './burst.js';
import { FLOOD_DAEMONS, type DaemonKind } from './daemons.js';
import type { FloodRun } from './flood.js';
import { calibrateFlood, type Calibration, type FloodSpec } from './flood-source.js';
import { measureChannelFloor, measureCommandFloor } from './command-floor.js';
import { burstScenario, floodScenario, latencyScenario, profileScenario, progress } from './scenarios.js';
import { describeMachine } from './machine.js';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './options.js';
import { renderConsole, renderMarkdown } from './report.js';
import type { DaemonResult, LogCounts } from './results.js';
import { SEQUENCE } from './ruleset.js';
import { buildScene, type Scene } from './scene.js';
import type { KnockResult } from './knock-result.js';
import { summarize } from './stats.js';
import { ms } from './format.js';
import { spaSection, type SpaResult } from './spa-section.js';

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
  const cannot = labSkipReason([...(options.spaOnly ? ['nft', 'tcpdump'] : PROGRAMS), ...(options.spa ? ['fwknopd'] : [])]);
  if (cannot) {
    console.error(`bench: cannot run: ${cannot}`);
    return 2;
  }

  const startedAt = new Date();
  const t0 = performance.now();
  const machine = describeMachine();
  progress(`machine: ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAtStart.toFixed(2)}`);
  const scene = await buildScene(options.burstSources);
  const results = new Map<DaemonKind, { latency?: KnockResult[]; flood?: FloodRun; floodLog?: LogCounts; burst?: BurstRun }>();
  if (!options.spaOnly) for (const kind of options.daemons) results.set(kind, {});
  let spa: SpaResult[] | undefined;
  let calibration: Calibration | undefined;
  let interval = options.floodInterval;
  let profile: ProfileSummary | undefined;
  let commandFloor: number[] | undefined;
  let channelFloor: number[] | undefined;
  try {
    if (!options.spaOnly) {
      commandFloor = await measureCommandFloor(scene.lab, scene.tools.watch, scene.probeIp, 20);
      progress(`the start command alone: p50 ${ms(summarize(commandFloor).p50)}`);
      if (options.daemons.includes('portcullis-nft')) {
        channelFloor = await measureChannelFloor(scene.lab, scene.tools.watch, scene.tools.clock, scene.probeIp, 20);
        progress(`one element through a running nft -i: p50 ${ms(summarize(channelFloor).p50)}`);
      }
      for (const kind of options.daemons) {
        const r = results.get(kind) ?? {};
        r.latency = await latencyScenario(scene, kind, options);
      }
      const flooded = options.daemons.filter((d) => FLOOD_DAEMONS.includes(d));
      if (interval === undefined && flooded.length > 0) {
        progress(`calibrating hping3 for ${options.floodPps} packets/s`);
        calibration = await calibrateFlood(scene.lab, anchorPid(scene), options.floodPps, SEQUENCE[0]);
        interval = calibration.interval;
        progress(`  -i ${interval}: ${Math.round(calibration.pps)} packets/s`);
      }
      const spec: FloodSpec = { interval: interval ?? 'u40', count: options.floodPps * options.floodSeconds, port: SEQUENCE[0] };
      for (const kind of flooded) {
        const r = results.get(kind) ?? {};
        const { flood, log } = await floodScenario(scene, kind, options, spec);
        r.flood = flood;
        r.floodLog = log;
      }
      if (options.profile && options.daemons.includes('portcullis')) {
        // Without --cpu-prof the raw profile goes with the lab; the report keeps its summary.
        const dir = options.cpuProfileDir ? resolve(options.cpuProfileDir) : join(scene.lab.tmp, 'cpu-prof');
        profile = await profileScenario(scene, options, spec, dir);
        if (profile && !options.cpuProfileDir) profile = { ...profile, file: 'not kept; --cpu-prof DIR keeps it' };
      }
      if (options.burstSources > 0) {
        for (const kind of options.daemons) {
          const r = results.get(kind) ?? {};
          r.burst = await burstScenario(scene, kind, options);
        }
      }
    }
    if (options.spa) spa = await spaSection(scene, options);
  } finally {
    await scene.close();
  }

  const report = {
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    loadAtEnd: loadavg()[0] ?? NaN,
    serverIface: scene.lab.server.iface,
    machine,
    options,
    ...(calibration ? { calibration } : {}),
    ...(interval ? { floodInterval: interval } : {}),
    results: [...results].map(([kind, r]): DaemonResult => ({ kind, ...r })),
    ...(commandFloor ? { commandFloor } : {}),
    ...(channelFloor ? { channelFloor } : {}),
    ...(profile ? { profile } : {}),
    ...(spa ? { spa } : {}),
  };
  console.log(renderConsole(report));
  if (options.out) {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, renderMarkdown(report));
    console.log(`wrote ${options.out}`);
  }
  return 0;
}

function anchorPid(scene: Scene): number {
  const pid = scene.anchor.pid;
  if (pid === undefined) throw new Error('the server namespace anchor did not start');
  return pid;
}


main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`bench: failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
