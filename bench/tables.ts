// The result tables, as rows of strings, shared by the console and markdown
// renderers: one column per daemon and a Portcullis/knockd ratio.
import type { DaemonKind } from './daemons.js';
import type { FloodRun } from './flood.js';
import { int, mb, ms, pct, secs, times } from './format.js';
import type { KnockResult } from './knock-result.js';
import type { BenchReport, DaemonResult } from './results.js';
import { ratio, summarize } from './stats.js';

const NAMES: Record<DaemonKind, string> = { portcullis: 'Portcullis', knockd: 'knockd' };

type Cell = { text: string; value?: number };
type Metric = (r: DaemonResult) => Cell | undefined;

function rows(report: BenchReport, metrics: ReadonlyArray<[string, Metric, boolean?]>): string[][] {
  const kinds = report.results.map((r) => r.kind);
  const withRatio = kinds.includes('portcullis') && kinds.includes('knockd');
  const head = ['', ...kinds.map((k) => NAMES[k]), ...(withRatio ? ['Portcullis/knockd'] : [])];
  const body = metrics.map(([label, metric, ratioWanted]) => {
    const cells = report.results.map((r) => metric(r));
    const row = [label, ...cells.map((c) => c?.text ?? '–')];
    if (withRatio) {
      const p = cells[kinds.indexOf('portcullis')]?.value;
      const k = cells[kinds.indexOf('knockd')]?.value;
      row.push(ratioWanted ? times(ratio(p, k)) : '');
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
  return rows(report, [
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
  return rows(report, [
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

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** The flood targets from the issue, when both daemons ran the flood. */
export function targetChecks(report: BenchReport): TargetCheck[] {
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
