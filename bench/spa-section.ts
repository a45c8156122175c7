// Runs the SPA section for each SPA daemon: latency, then the flood, each
// with a fresh daemon process.
import { ms } from './format.js';
import type { KnockResult } from './knock-result.js';
import type { BenchOptions } from './options.js';
import { progress } from './scenarios.js';
import type { Scene } from './scene.js';
import { SPA_DAEMONS, SPA_NAMES, type SpaKind } from './spa-setup.js';
import { measureSpaFlood, measureSpaLatency, SpaCapture, startSpaDaemon, type SpaDaemon, type SpaFloodRun, type SpaTools } from './spa.js';
import { summarize } from './stats.js';

export interface SpaResult {
  readonly kind: SpaKind;
  readonly latency?: readonly KnockResult[];
  readonly flood?: SpaFloodRun;
}

export async function spaSection(scene: Scene, o: BenchOptions): Promise<SpaResult[]> {
  const spaCapture = await SpaCapture.start(scene.lab, scene.tools.clock, scene.lab.host('client').ip4);
  const tools: SpaTools = { ...scene.tools, spaCapture };
  const out: SpaResult[] = [];
  try {
    for (const kind of SPA_DAEMONS) {
      progress(`spa latency: ${SPA_NAMES[kind]}, ${o.spaPackets} packets`);
      scene.tools.knocker.reserve(o.spaPackets);
      const latency = await withDaemon(scene, kind, o, 'latency', (d) => measureSpaLatency(scene.lab, tools, d.kind, o.spaPackets, o.windowMs));
      const s = summarize(latency.flatMap((k) => (k.latencyMs === undefined ? [] : [k.latencyMs])));
      progress(`  opened ${latency.filter((k) => k.opened).length}/${latency.length}, p50 ${ms(s.p50)}, p90 ${ms(s.p90)}, max ${ms(s.max)}`);
      out.push({ kind, latency });
    }
    for (const kind of SPA_DAEMONS) {
      progress(`spa flood: ${SPA_NAMES[kind]}, ${o.spaFloodRate > 0 ? `${o.spaFloodRate}/s` : 'as fast as it can'} for ${o.spaFloodSeconds} s (at most ${o.spaFloodCount} datagrams), ${o.spaFloodValid} valid packets`);
      scene.tools.knocker.reserve(o.spaFloodValid + 1);
      const netPid = scene.anchor.pid;
      if (netPid === undefined) throw new Error('the server namespace anchor did not start');
      const flood = await withDaemon(scene, kind, o, 'flood', (d) =>
        measureSpaFlood(scene.lab, tools, d, { seconds: o.spaFloodSeconds, count: o.spaFloodCount, rate: o.spaFloodRate, valid: o.spaFloodValid, windowMs: o.windowMs }, netPid),
      );
      const s = summarize(flood.legit.flatMap((k) => (k.latencyMs === undefined ? [] : [k.latencyMs])));
      const secs = flood.busyMs / 1000;
      progress(`  sent ${flood.generator.sent} in ${ms(flood.generator.ms)} (${Math.round(flood.generator.sent / (flood.generator.ms / 1000))}/s), ${flood.arrived} arrived; handled ${flood.handled}, rejected ${flood.rejected} (${Math.round(flood.rejected / secs)}/s); CPU ${flood.cpuSeconds.toFixed(2)} s; legit opened ${flood.legit.filter((k) => k.opened).length}/${flood.legit.length}, p50 ${ms(s.p50)}, max ${ms(s.max)}`);
      progress(`  legitimate packets under the flood: ${flood.legit.map((k) => (k.latencyMs === undefined ? (k.opened ? 'opened (no capture)' : 'never') : ms(k.latencyMs))).join(', ')}`);
      const r = out.find((x) => x.kind === kind);
      const i = r ? out.indexOf(r) : -1;
      if (i >= 0) out[i] = { ...out[i], kind, flood };
      else out.push({ kind, flood });
    }
  } finally {
    await spaCapture.stop().catch(() => undefined);
  }
  return out;
}

async function withDaemon<T>(scene: Scene, kind: SpaKind, o: BenchOptions, label: string, f: (d: SpaDaemon) => Promise<T>): Promise<T> {
  const d = await startSpaDaemon(kind, scene.lab);
  try {
    return await f(d);
  } finally {
    await d.daemon.stop();
    if (o.keepLogs) {
      const { copyFileSync, mkdirSync } = await import('node:fs');
      const { join } = await import('node:path');
      mkdirSync(o.keepLogs, { recursive: true });
      copyFileSync(d.daemon.logPath, join(o.keepLogs, `${kind}-spa-${label}.log`));
    }
    await scene.reset();
  }
}
