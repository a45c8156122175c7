// Scenario 2: a spoofed-source SYN flood at the door's first port while the
// legitimate client knocks at a steady pace. Memory and CPU of the daemon are
// sampled throughout; CPU is counted from the flood's start until the daemon
// is idle again, so work it deferred (a backlog) is not missed.
import type { Lab } from '../test/e2e/lab.js';
import { grantSetOf, type RunningDaemon } from './daemons.js';
import { runFlood, type FloodSpec } from './flood-source.js';
import { awaitOpen, sendKnock, withLateOpens, type KnockResult, type KnockTools } from './knock-result.js';
import { ticksPerSecond } from './procfs.js';
import { deleteElementArgv, SEQUENCE } from './ruleset.js';
import { burstRate, Sampler, type Burst, type Sample } from './sampler.js';

export interface FloodOptions {
  readonly spec: FloodSpec;
  readonly knocks: number;
  readonly windowMs: number;
  /** Planned length of the flood, to spread the knocks over it. */
  readonly seconds: number;
}

export interface FloodRun {
  readonly knocks: KnockResult[];
  /** Knocks sent before hping3 finished. */
  readonly knocksDuringFlood: number;
  /** Flood packets that reached the server's interface, and their rate. */
  readonly offered: Burst;
  readonly rssKb: {
    readonly start: number;
    readonly floodEnd: number;
    /** Least-squares slope over the flood's second half, kB/s: near zero once memory has levelled off. */
    readonly lateSlopeKbPerS: number;
    readonly peak: number;
    /** Once the daemon was idle again. */
    readonly end: number;
  };
  /** Daemon CPU (user + system) from the flood's start until it was idle again. */
  readonly cpuSeconds: number;
  /** Daemon CPU while hping3 was sending. */
  readonly cpuSecondsWhileSending: number;
  /** CPU of reaped children (the start commands) over the same span. */
  readonly commandCpuSeconds: number;
  /** How long after hping3 finished the daemon still worked. */
  readonly settleMs: number;
  readonly floodMs: number;
}

const SAMPLE_MS = 100;
const IDLE_CPU_SHARE = 0.03;
const SETTLE_LIMIT_MS = 20_000;

export async function measureFlood(lab: Lab, daemon: RunningDaemon, tools: KnockTools, opts: FloodOptions): Promise<FloodRun> {
  const sampler = new Sampler(daemon.pid, daemon.pid, lab.server.iface, SAMPLE_MS).start();
  try {
    await sleep(1000);
    const before = mustSample(sampler);
    const flood = runFlood(lab, opts.spec);
    const floodStart = performance.now();
    const pending: Array<Promise<KnockResult>> = [];
    let knocksDuringFlood = 0;
    let floodDone = false;
    void flood.finally(() => (floodDone = true)).catch(() => undefined);
    const spacing = Math.max(100, (opts.seconds * 1000 - 1000) / opts.knocks);
    for (let i = 0; i < opts.knocks; i++) {
      await sleep(floodStart + 500 + i * spacing - performance.now());
      if (!floodDone) knocksDuringFlood++;
      const sent = await sendKnock(tools);
      pending.push(
        awaitOpen(tools, sent, opts.windowMs).then(async (r) => {
          if (r.opened) await lab.mustExec('server', deleteElementArgv(r.src, grantSetOf(daemon.kind)));
          return r;
        }),
      );
    }
    await flood;
    const floodEnd = performance.now();
    const atFloodEnd = mustSample(sampler);
    const knocks = await Promise.all(pending);
    const { sample: after, idleFrom } = await settle(sampler, floodEnd);
    const samples = sampler.stop().filter((s) => s.at >= before.at && s.at <= after.at);
    const hz = ticksPerSecond();
    return {
      knocks: withLateOpens(knocks, tools.watch),
      knocksDuringFlood,
      offered: burstRate(samples, opts.knocks * SEQUENCE.length),
      rssKb: {
        start: before.rssKb,
        floodEnd: atFloodEnd.rssKb,
        lateSlopeKbPerS: slope(samples.filter((s) => s.at >= (floodStart + floodEnd) / 2 && s.at <= floodEnd)),
        peak: Math.max(...samples.map((s) => s.rssKb)),
        end: after.rssKb,
      },
      cpuSeconds: (after.cpu.self - before.cpu.self) / hz,
      cpuSecondsWhileSending: (atFloodEnd.cpu.self - before.cpu.self) / hz,
      commandCpuSeconds: (after.cpu.children - before.cpu.children) / hz,
      settleMs: Math.max(0, idleFrom - floodEnd),
      floodMs: floodEnd - floodStart,
    };
  } finally {
    sampler.stop();
  }
}

/**
 * Waits until the daemon used less than IDLE_CPU_SHARE of a core over the
 * last second; `idleFrom` is where that quiet second began.
 */
async function settle(sampler: Sampler, since: number): Promise<{ sample: Sample; idleFrom: number }> {
  const hz = ticksPerSecond();
  for (;;) {
    await sleep(SAMPLE_MS);
    const now = mustSample(sampler);
    const windowStart = sampler.samples.find((s) => s.at >= now.at - 1000);
    const spanMs = windowStart ? now.at - windowStart.at : 0;
    if (windowStart && spanMs >= 900) {
      const share = (now.cpu.self - windowStart.cpu.self) / hz / (spanMs / 1000);
      if (share < IDLE_CPU_SHARE) return { sample: now, idleFrom: windowStart.at };
    }
    if (now.at - since > SETTLE_LIMIT_MS) return { sample: now, idleFrom: now.at };
  }
}

/** RSS trend in kB per second (least squares); NaN with fewer than two samples. */
export function slope(samples: ReadonlyArray<{ at: number; rssKb: number }>): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const mx = samples.reduce((a, s) => a + s.at, 0) / n;
  const my = samples.reduce((a, s) => a + s.rssKb, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.at - mx) * (s.rssKb - my);
    den += (s.at - mx) ** 2;
  }
  return den === 0 ? NaN : (num / den) * 1000;
}

function mustSample(sampler: Sampler): Sample {
  const s = sampler.take();
  if (!s) throw new Error('the daemon died during the flood');
  return s;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
