// The runs a daemon goes through, each with a fresh daemon process:
// latency, flood, (Portcullis only) the flood again under the profiler, and
// the burst of distinct clients.
import { newestProfile, readProfile, type ProfileSummary } from './cpu-profile.js';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { measureBurst, summarizeBurst, type BurstRun } from './burst.js';
import { grantSetOf, startDaemon, type DaemonKind, type RunningDaemon } from './daemons.js';
import { measureFlood, type FloodRun } from './flood.js';
import type { FloodSpec } from './flood-source.js';
import { ms } from './format.js';
import type { KnockResult } from './knock-result.js';
import { measureLatency } from './latency.js';
import { extraArgsFor, type BenchOptions } from './options.js';
import { countLogLines, type LogCounts } from './results.js';
import type { Scene } from './scene.js';
import { summarize } from './stats.js';

export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function start(scene: Scene, kind: DaemonKind, o: BenchOptions, cpuProfileDir?: string): Promise<RunningDaemon> {
  return startDaemon(kind, scene.lab, scene.configFor(kind), { extraArgs: extraArgsFor(o, kind), ...(cpuProfileDir ? { cpuProfileDir } : {}) });
}

/** Stops the daemon, keeps its output if asked, and empties the sets for the next scenario. */
async function finish(scene: Scene, daemon: RunningDaemon, o: BenchOptions, label: string, graceMs?: number): Promise<void> {
  await daemon.stop(graceMs);
  if (o.keepLogs) {
    mkdirSync(o.keepLogs, { recursive: true });
    const to = join(o.keepLogs, `${daemon.kind}-${label}.log`);
    copyFileSync(daemon.logPath, to);
    progress(`  output kept in ${to}`);
  }
  await scene.reset();
}

function reportMisses(knocks: readonly KnockResult[]): void {
  for (const k of knocks.filter((x) => !x.opened)) {
    const late = k.lateMs === undefined ? 'never opened' : `opened ${ms(k.lateMs)} after the knock`;
    const arrived = k.lastPacketArrived === undefined ? '' : k.lastPacketArrived ? '; its last packet reached the server' : '; its last packet never reached the server';
    progress(`  ${k.src} (knocked at ${new Date(k.knockedAt).toISOString()}): ${late}${arrived}`);
  }
}

export async function latencyScenario(scene: Scene, kind: DaemonKind, o: BenchOptions): Promise<KnockResult[]> {
  progress(`latency: ${kind}, ${o.latencyKnocks} knocks`);
  scene.tools.knocker.reserve(o.latencyKnocks);
  const daemon = await start(scene, kind, o);
  try {
    const knocks = await measureLatency(scene.lab, scene.tools, { knocks: o.latencyKnocks, windowMs: o.windowMs, set: grantSetOf(kind) });
    const s = summarize(knocks.flatMap((k) => (k.latencyMs === undefined ? [] : [k.latencyMs])));
    progress(`  opened ${knocks.filter((k) => k.opened).length}/${knocks.length}, p50 ${ms(s.p50)}, p90 ${ms(s.p90)}, max ${ms(s.max)}`);
    reportMisses(knocks);
    checkClocks(knocks);
    return knocks;
  } finally {
    await finish(scene, daemon, o, 'latency');
  }
}

export async function floodScenario(scene: Scene, kind: DaemonKind, o: BenchOptions, spec: FloodSpec): Promise<{ flood: FloodRun; log: LogCounts }> {
  progress(`flood: ${kind}, ${spec.count} packets (hping3 -i ${spec.interval}), ${o.floodKnocks} knocks`);
  scene.tools.knocker.reserve(o.floodKnocks);
  const daemon = await start(scene, kind, o);
  try {
    const flood = await measureFlood(scene.lab, daemon, scene.tools, { spec, knocks: o.floodKnocks, windowMs: o.windowMs, seconds: o.floodSeconds });
    const opened = flood.knocks.filter((k) => k.opened).length;
    progress(`  ${Math.round(flood.offered.pps)} packets/s; opened ${opened}/${flood.knocks.length}; CPU ${flood.cpuSeconds.toFixed(2)} s; RSS ${(flood.rssKb.start / 1024).toFixed(1)} → ${(flood.rssKb.end / 1024).toFixed(1)} MB (peak ${(flood.rssKb.peak / 1024).toFixed(1)})`);
    reportMisses(flood.knocks);
    return { flood, log: countLogLines(daemon.output()) };
  } finally {
    await finish(scene, daemon, o, 'flood');
  }
}

export async function burstScenario(scene: Scene, kind: DaemonKind, o: BenchOptions): Promise<BurstRun> {
  const pool = scene.burst;
  if (!pool) throw new Error('the scene has no burst addresses');
  progress(`burst: ${kind}, ${pool.sources.length} clients at once, grants counted for ${o.burstWindowMs} ms`);
  const daemon = await start(scene, kind, o);
  try {
    const run = await measureBurst(scene.lab, scene.tools, pool, { windowMs: o.burstWindowMs, set: grantSetOf(kind), netPid: anchorPid(scene) });
    const s = summarizeBurst(run);
    const outcomes = Object.entries(run.client.outcomes).map(([k, v]) => `${v} ${k}`).join(', ');
    progress(`  sent ${run.client.connects} SYNs in ${ms(run.sendMs)} (${outcomes}; the server's TCP answered ${run.serverRsts}); opened ${s.opened}/${s.sources}, the last after ${ms(s.timeToLastMs)}: ${s.perSecond.toFixed(0)} grants/s; p50 ${ms(s.p50)}, p90 ${ms(s.p90)}; ${run.inSetAtEnd} in the set at the end; tcpdump saw ${run.lastPacketsSeen} last steps`);
    if (s.opened < s.sources) reportTrouble(daemon);
    if (run.client.outcomes.ECONNREFUSED !== run.client.connects) progress('  WARNING: not every connect was refused by the server; see the outcomes above');
    return run;
  } finally {
    await finish(scene, daemon, o, 'burst');
  }
}

function anchorPid(scene: Scene): number {
  const pid = scene.anchor.pid;
  if (pid === undefined) throw new Error('the server namespace anchor did not start');
  return pid;
}

/** A few lines of the daemon's output that may say why grants are missing. */
function reportTrouble(daemon: RunningDaemon): void {
  const lines = daemon.output().split('\n').filter((l) => /error|cannot|refus|full|timeout|timed out|dropped|too many/i.test(l));
  for (const l of lines.slice(0, 5)) progress(`  ${daemon.kind}: ${l}`);
  if (lines.length > 5) progress(`  ... ${lines.length - 5} more such lines (--keep-logs DIR keeps the output)`);
}

export async function profileScenario(scene: Scene, o: BenchOptions, spec: FloodSpec, dir: string): Promise<ProfileSummary | undefined> {
  progress('profile: portcullis under node --cpu-prof');
  scene.tools.knocker.reserve(o.floodKnocks);
  const daemon = await start(scene, 'portcullis', o, dir);
  try {
    await measureFlood(scene.lab, daemon, scene.tools, { spec, knocks: o.floodKnocks, windowMs: o.windowMs, seconds: o.floodSeconds });
  } finally {
    // The profile is written when node exits normally, i.e. after SIGTERM's clean shutdown.
    await finish(scene, daemon, o, 'profile', 15_000);
  }
  const file = newestProfile(dir);
  if (!file) {
    progress('  no profile was written (did portcullis exit cleanly on SIGTERM?)');
    return undefined;
  }
  return readProfile(file);
}

/** The capture timestamps and the bench's wall clock must agree (see KnockResult.captureToExitMs). */
function checkClocks(knocks: readonly KnockResult[]): void {
  const worst = Math.min(...knocks.flatMap((k) => (k.captureToExitMs === undefined ? [] : [k.captureToExitMs])));
  // A busy machine may deliver the packet to the capture (in softirq) a little after the client exited;
  // milliseconds of that mean the clocks disagree.
  if (worst < -2) progress(`  WARNING: a knock's packet was stamped ${ms(-worst)} after its client exited; are the clocks in step?`);
}
