// The result tables, as rows of strings, shared by the console and markdown
// renderers: one column per daemon that ran the scenario, and a ratio to
// knockd for each Portcullis variant.
import { summarizeBurst, type BurstRun } from './burst.js';
import { DAEMON_NAMES, isPortcullis, type DaemonKind } from './daemons.js';
import type { FloodRun } from './flood.js';
import { int, mb, ms, pct, secs, times } from './format.js';
import type { KnockResult } from './knock-result.js';
import type { BenchReport, DaemonResult } from './results.js';
import { percentile, ratio, summarize } from './stats.js';

type Cell = { text: string; value?: number };
type Metric = (r: DaemonResult) => Cell | undefined;

const RATIO_NAMES: Record<DaemonKind, string> = { portcullis: 'command', 'portcullis-nft': 'nftables', knockd: 'knockd' };

function rows(report: BenchReport, has: (r: DaemonResult) => boolean, metrics: ReadonlyArray<[string, Metric, boolean?]>): string[][] {
  const results = report.results.filter(has);
  const kinds = results.map((r) => r.kind);
  const knockd = kinds.indexOf('knockd');
  const variants = knockd < 0 ? [] : kinds.filter(isPortcullis);
  const ratioHead = (k: DaemonKind) => `${variants.length > 1 ? RATIO_NAMES[k] : 'Portcullis'}/knockd`;
  const head = ['', ...kinds.map((k) => DAEMON_NAMES[k]), ...variants.map(ratioHead)];
  const body = metrics.map(([label, metric, ratioWanted]) => {
    const cells = results.map((r) => metric(r));
    const row = [label, ...cells.map((c) => c?.text ?? '–')];
    for (const v of variants) {
      row.push(ratioWanted ? times(ratio(cells[kinds.indexOf(v)]?.value, cells[knockd]?.value)) : '');
    }
    return row;
  });
  return [head, ...body];
}

function latencies(knocks: readonly KnockResult[] | undefined, pick: (k: KnockResult) => number | undefined): number[] {
  return (knocks ?? []).flatMap((k) => {
    const v = pick(k);
    return v === undefined ? [] : [v];
  });
}

const opened = (knocks: readonly KnockResult[]) => knocks.filter((k) => k.opened).length;

function stat(knocks: readonly KnockResult[] | undefined, which: 'p50' | 'p90' | 'max' | 'mean', pick: (k: KnockResult) => number | undefined = (k) => k.latencyMs): Cell | undefined {
  if (!knocks) return undefined;
  const v = summarize(latencies(knocks, pick))[which];
  return { text: ms(v), value: v };
}

export function latencyRows(report: BenchReport): string[][] {
  const l = (r: DaemonResult) => r.latency;
  return rows(report, (r) => r.latency !== undefined, [
    ['knocks opened within the window', (r) => (l(r) ? { text: `${opened(l(r) ?? [])}/${l(r)?.length}` } : undefined)],
    ['latency p50', (r) => stat(l(r), 'p50'), true],
    ['latency p90', (r) => stat(l(r), 'p90'), true],
    ['latency max', (r) => stat(l(r), 'max'), true],
    ['latency mean', (r) => stat(l(r), 'mean'), true],
    ['cross-check: `knock` exit → element, p50', (r) => stat(l(r), 'p50', (k) => k.fromClientMs), true],
  ]);
}

export function floodRows(report: BenchReport): string[][] {
  const f = (r: DaemonResult): FloodRun | undefined => r.flood;
  const on = (fn: (x: FloodRun, r: DaemonResult) => Cell): Metric => (r) => {
    const x = f(r);
    return x ? fn(x, r) : undefined;
  };
  return rows(report, (r) => r.flood !== undefined, [
    ['flood packets at the server', on((x) => ({ text: int(x.offered.packets), value: x.offered.packets }))],
    ['flood rate (measured)', on((x) => ({ text: `${int(x.offered.pps)} pkt/s over ${secs(x.offered.seconds, 1)}`, value: x.offered.pps }))],
    ['legitimate knocks (sent while flooding)', on((x) => ({ text: `${x.knocks.length} (${x.knocksDuringFlood})` }))],
    ['opened within the window', on((x) => ({ text: `${opened(x.knocks)}/${x.knocks.length} (${pct(opened(x.knocks), x.knocks.length)})`, value: opened(x.knocks) / x.knocks.length })), true],
    ['opened late / never', on((x) => {
      const late = x.knocks.filter((k) => k.lateMs !== undefined);
      const never = x.knocks.filter((k) => !k.opened && k.lateMs === undefined).length;
      const worst = late.length > 0 ? ` (latest ${ms(Math.max(...late.map((k) => k.lateMs ?? 0)))})` : '';
      return { text: `${late.length}${worst} / ${never}` };
    })],
    ['never opened, yet the last knock packet reached the server', on((x) => {
      const never = x.knocks.filter((k) => !k.opened && k.lateMs === undefined);
      return { text: `${never.filter((k) => k.lastPacketArrived).length} of ${never.length}` };
    })],
    ['latency p50 under flood', (r) => stat(f(r)?.knocks, 'p50'), true],
    ['latency p90 under flood', (r) => stat(f(r)?.knocks, 'p90'), true],
    ['latency max under flood', (r) => stat(f(r)?.knocks, 'max'), true],
    ['RSS before the flood', on((x) => ({ text: mb(x.rssKb.start), value: x.rssKb.start })), true],
    ['RSS when the flood ended', on((x) => ({ text: mb(x.rssKb.floodEnd), value: x.rssKb.floodEnd })), true],
    ['RSS peak', on((x) => ({ text: mb(x.rssKb.peak), value: x.rssKb.peak })), true],
    ['RSS after (daemon idle again)', on((x) => ({ text: mb(x.rssKb.end), value: x.rssKb.end })), true],
    ['RSS growth (after − before)', on((x) => ({ text: mb(x.rssKb.end - x.rssKb.start) }))],
    ['RSS trend over the flood\'s second half', on((x) => ({ text: `${(x.rssKb.lateSlopeKbPerS / 1024).toFixed(2)} MB/s` }))],
    ['CPU, flood start → idle again', on((x) => ({ text: secs(x.cpuSeconds), value: x.cpuSeconds })), true],
    ['CPU while hping3 sent (share of a core)', on((x) => ({ text: `${secs(x.cpuSecondsWhileSending)} (${pct(x.cpuSecondsWhileSending * 1000, x.floodMs)})`, value: x.cpuSecondsWhileSending })), true],
    ['still busy after the flood ended', on((x) => ({ text: ms(x.settleMs) }))],
    ['CPU of the start commands (reaped children)', on((x) => ({ text: secs(x.commandCpuSeconds) }))],
    ['log lines written during the run', (r) => (r.floodLog ? { text: `${int(r.floodLog.lines)}${r.floodLog.suppressed > 0 ? ` (+${int(r.floodLog.suppressed)} counted, not written)` : ''}`, value: r.floodLog.lines } : undefined), true],
  ]);
}

export function burstRows(report: BenchReport): string[][] {
  const on = (fn: (x: BurstRun) => Cell): Metric => (r) => (r.burst ? fn(r.burst) : undefined);
  const sum = (x: BurstRun) => summarizeBurst(x);
  return rows(report, (r) => r.burst !== undefined, [
    ['grants opened within the window', on((x) => {
      const s = sum(x);
      return { text: `${int(s.opened)}/${int(s.sources)} (${pct(s.opened, s.sources)})`, value: s.opened };
    }), true],
    ['time from the first SYN to the last grant', on((x) => ({ text: ms(sum(x).timeToLastMs), value: sum(x).timeToLastMs })), true],
    ['grants per second (opened ÷ time to the last)', on((x) => ({ text: `${int(sum(x).perSecond)}/s`, value: sum(x).perSecond })), true],
    ['per grant, from the first SYN: p50', on((x) => ({ text: ms(sum(x).p50), value: sum(x).p50 })), true],
    ['per grant, from the first SYN: p90', on((x) => ({ text: ms(sum(x).p90), value: sum(x).p90 })), true],
    ['per grant, from its own last knock packet: p50', on((x) => {
      const v = percentile(x.fromLastPacketMs, 50);
      return { text: ms(v), value: v };
    }), true],
    ['the client sent its SYNs in', on((x) => ({ text: `${ms(x.sendMs)} (${int(x.client.connects)} SYNs)` }))],
    ['SYNs the server\'s TCP stack answered (RST)', on((x) => ({ text: `${int(x.serverRsts)}/${int(x.client.connects)}` }))],
    ['last knock packets seen by tcpdump at the server', on((x) => ({ text: `${int(x.lastPacketsSeen)}/${int(x.sources)}` }))],
    ['no grant, yet the last knock packet reached the server', on((x) => ({ text: int(x.missedButArrived) }))],
    ['the burst\'s elements in the set at the end', on((x) => ({ text: int(x.inSetAtEnd) }))],
  ]);
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** The nftables backend's median knock-to-open latency must be at most this share of knockd's. */
export const NFT_LATENCY_FACTOR = 5;

/** The targets from the issues, for the scenarios that ran. */
export function targetChecks(report: BenchReport): TargetCheck[] {
  return [...latencyTargets(report), ...floodTargets(report)];
}

function p50Of(knocks: readonly KnockResult[] | undefined): number {
  return summarize(latencies(knocks, (k) => k.latencyMs)).p50;
}

function latencyTargets(report: BenchReport): TargetCheck[] {
  const nft = report.results.find((r) => r.kind === 'portcullis-nft')?.latency;
  const k = report.results.find((r) => r.kind === 'knockd')?.latency;
  if (!nft || !k) return [];
  const [a, b] = [p50Of(nft), p50Of(k)];
  return [{
    target: `nftables backend p50 at least ${NFT_LATENCY_FACTOR}× lower than knockd's (knockd running nft add element as its command)`,
    measured: `${ms(a)} vs ${ms(b)} (${Number.isFinite(a) && a > 0 ? `${(b / a).toFixed(1)}× lower` : '–'})`,
    met: Number.isFinite(a) && Number.isFinite(b) && a <= b / NFT_LATENCY_FACTOR,
  }];
}

function floodTargets(report: BenchReport): TargetCheck[] {
  const p = report.results.find((r) => r.kind === 'portcullis')?.flood;
  const k = report.results.find((r) => r.kind === 'knockd')?.flood;
  if (!p) return [];
  const growth = p.rssKb.end - p.rssKb.start;
  const flatLimit = Math.max(2048, p.rssKb.start * 0.1);
  const checks: TargetCheck[] = [
    { target: '100 % of legitimate knocks open during the flood', measured: `${opened(p.knocks)}/${p.knocks.length}`, met: opened(p.knocks) === p.knocks.length },
    {
      target: `memory flat: RSS after ≤ before + max(2 MB, 10 %)`,
      measured: `${mb(p.rssKb.start)} → ${mb(p.rssKb.end)} (peak ${mb(p.rssKb.peak)}, growth ${mb(growth)})`,
      met: growth <= flatLimit,
    },
  ];
  if (k) checks.push({ target: 'fewer CPU seconds than knockd for the same flood', measured: `${secs(p.cpuSeconds)} vs ${secs(k.cpuSeconds)}`, met: p.cpuSeconds < k.cpuSeconds });
  return checks;
}
