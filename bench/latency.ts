// Scenario 1: knock-to-open latency on an idle server. One knock at a time;
// the element is deleted again before the next knock.
import type { Lab } from '../test/e2e/lab.js';
import { awaitOpen, sendKnock, withLateOpens, type KnockResult, type KnockTools } from './knock-result.js';
import { BENCH_SET, deleteElementArgv, type GrantSet } from './ruleset.js';

export interface LatencyOptions {
  readonly knocks: number;
  readonly windowMs: number;
  /** Pause between knocks, so each knock meets an idle daemon. */
  readonly gapMs?: number;
  /** The set the daemon opens in (the element is deleted from there after each knock). */
  readonly set?: GrantSet;
}

export async function measureLatency(lab: Lab, tools: KnockTools, opts: LatencyOptions): Promise<KnockResult[]> {
  const knocks: KnockResult[] = [];
  for (let i = 0; i < opts.knocks; i++) {
    const r = await awaitOpen(tools, await sendKnock(tools), opts.windowMs);
    knocks.push(r);
    if (r.opened) await lab.mustExec('server', deleteElementArgv(r.src, opts.set ?? BENCH_SET));
    await new Promise((resolve) => setTimeout(resolve, opts.gapMs ?? 100));
  }
  return withLateOpens(knocks, tools.watch);
}
