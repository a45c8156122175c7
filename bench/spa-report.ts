// The SPA section of the report: tables (Portcullis's SPA door and fwknopd
// side by side, with the ratio), targets, at-a-glance lines and method text.
import { int, markdownTable, ms, pct, secs, textTable, times } from './format.js';
import type { KnockResult } from './knock-result.js';
import type { BenchReport } from './results.js';
import { FWKNOP_OPEN_COMMAND, SPA_NAMES, SPA_PORT, fwknopAccessConf, fwknopdConf, spaPortcullisConfig, type SpaKind } from './spa-setup.js';
import type { SpaResult } from './spa-section.js';
import type { SpaFloodRun } from './spa.js';
import { ratio, summarize, type Summary } from './stats.js';
import type { TargetCheck } from './tables.js';

/** Portcullis's median SPA-to-open latency must be at most this share of fwknopd's. */
export const SPA_LATENCY_FACTOR = 10;
/** Rejected packets per second the SPA door must sustain (one core: the daemon is one thread of JavaScript). */
export const SPA_REJECT_TARGET = 50_000;
/** Every legitimate packet during the flood must open within this. */
export const SPA_LEGIT_LIMIT_MS = 10;

type Cell = { text: string; value?: number };

const lat = (knocks: readonly KnockResult[] | undefined): Summary => summarize((knocks ?? []).flatMap((k) => (k.latencyMs === undefined ? [] : [k.latencyMs])));
const opened = (knocks: readonly KnockResult[]) => knocks.filter((k) => k.opened).length;

/** Rejections per wall-clock second, from the flood's start until the daemon was idle again. */
export function rejectedPerSecond(f: SpaFloodRun): number {
  return f.busyMs > 0 ? f.rejected / (f.busyMs / 1000) : NaN;
}

/** Rejections per second of the daemon's own CPU time: what one core fully given to it handles. */
export function rejectedPerCpuSecond(f: SpaFloodRun): number {
  return f.cpuSeconds > 0 ? f.rejected / f.cpuSeconds : NaN;
}

export function offeredPerSecond(f: SpaFloodRun): number {
  return f.generator.ms > 0 ? f.generator.sent / (f.generator.ms / 1000) : NaN;
}

function table(results: readonly SpaResult[], has: (r: SpaResult) => boolean, metrics: ReadonlyArray<[string, (r: SpaResult) => Cell | undefined, boolean?]>): string[][] {
  const rs = results.filter(has);
  const p = rs.findIndex((r) => r.kind === 'portcullis-spa');
  const f = rs.findIndex((r) => r.kind === 'fwknopd');
  const both = p >= 0 && f >= 0;
  const head = ['', ...rs.map((r) => SPA_NAMES[r.kind]), ...(both ? ['Portcullis/fwknopd'] : [])];
  return [head, ...metrics.map(([label, m, wantRatio]) => {
    const cells = rs.map(m);
    return [label, ...cells.map((c) => c?.text ?? '–'), ...(both ? [wantRatio ? times(ratio(cells[p]?.value, cells[f]?.value)) : ''] : [])];
  })];
}

export function spaLatencyRows(results: readonly SpaResult[]): string[][] {
  const s = (r: SpaResult, w: 'p50' | 'p90' | 'max' | 'mean'): Cell | undefined => (r.latency ? { text: ms(lat(r.latency)[w]), value: lat(r.latency)[w] } : undefined);
  return table(results, (r) => r.latency !== undefined, [
    ['packets that opened within the window', (r) => (r.latency ? { text: `${opened(r.latency)}/${r.latency.length}` } : undefined)],
    ['latency p50', (r) => s(r, 'p50'), true],
    ['latency p90', (r) => s(r, 'p90'), true],
    ['latency max', (r) => s(r, 'max'), true],
    ['latency mean', (r) => s(r, 'mean'), true],
  ]);
}

export function spaFloodRows(results: readonly SpaResult[]): string[][] {
  const f = (r: SpaResult) => r.flood;
  const on = (g: (x: SpaFloodRun) => Cell): ((r: SpaResult) => Cell | undefined) => (r) => {
    const x = f(r);
    return x ? g(x) : undefined;
  };
  const num = (v: number): Cell => ({ text: int(v), value: v });
  return table(results, (r) => r.flood !== undefined, [
    ['flood datagrams sent (generator)', on((x) => ({ text: `${int(x.generator.sent)} in ${secs(x.generator.ms / 1000)}` }))],
    ['offered rate', on((x) => ({ text: `${int(offeredPerSecond(x))}/s` }))],
    ['packets that arrived on the server interface', on((x) => num(x.arrived))],
    ['datagrams the daemon handled', on((x) => ({ text: `${int(x.handled)} (${pct(x.handled, x.arrived)} of arrived)`, value: x.handled })), true],
    ['of those rejected', on((x) => num(x.rejected)), true],
    ['rejected/s (flood start → daemon idle again)', on((x) => ({ text: int(rejectedPerSecond(x)), value: rejectedPerSecond(x) })), true],
    ['daemon CPU (user + system)', on((x) => ({ text: `${secs(x.cpuSeconds)} over ${secs(x.busyMs / 1000)}`, value: x.cpuSeconds })), true],
    ['rejected per CPU second', on((x) => ({ text: int(rejectedPerCpuSecond(x)), value: rejectedPerCpuSecond(x) })), true],
    ['legitimate packets opened within the window', on((x) => ({ text: `${opened(x.legit)}/${x.legit.length}` }))],
    ['legitimate latency under flood p50', on((x) => ({ text: ms(lat(x.legit).p50), value: lat(x.legit).p50 })), true],
    ['legitimate latency under flood max', on((x) => ({ text: ms(lat(x.legit).max), value: lat(x.legit).max })), true],
    ['refusals by reason', on((x) => ({ text: Object.entries(x.byReason).filter(([k]) => k !== 'opens').map(([k, v]) => `${k} ${int(v)}`).join(', ') || 'not counted by reason' }))],
  ]);
}

function result(report: BenchReport, kind: SpaKind): SpaResult | undefined {
  return report.spa?.find((r) => r.kind === kind);
}

export function spaTargets(report: BenchReport): TargetCheck[] {
  const p = result(report, 'portcullis-spa');
  const f = result(report, 'fwknopd');
  const out: TargetCheck[] = [];
  if (p?.latency && f?.latency) {
    const [a, b] = [lat(p.latency).p50, lat(f.latency).p50];
    out.push({
      target: `SPA: Portcullis p50 at least ${SPA_LATENCY_FACTOR}× lower than fwknopd's (SPA packet on the interface → element in the set)`,
      measured: `${ms(a)} vs ${ms(b)} (${Number.isFinite(a) && a > 0 ? `${(b / a).toFixed(1)}× lower` : '–'})`,
      met: Number.isFinite(a) && Number.isFinite(b) && a * SPA_LATENCY_FACTOR <= b,
    });
  }
  const fl = p?.flood;
  if (fl) {
    const rate = rejectedPerSecond(fl);
    const s = lat(fl.legit);
    const allOpened = opened(fl.legit) === fl.legit.length;
    out.push({
      target: `SPA flood: at least ${int(SPA_REJECT_TARGET)} rejected packets/s on one core, every legitimate packet open within ${SPA_LEGIT_LIMIT_MS} ms`,
      measured: `${int(rate)} rejected/s (${int(rejectedPerCpuSecond(fl))} per CPU second; ${int(offeredPerSecond(fl))}/s offered); legitimate ${opened(fl.legit)}/${fl.legit.length} opened, max ${ms(s.max)}`,
      met: rate >= SPA_REJECT_TARGET && fl.cpuSeconds <= fl.busyMs / 1000 && allOpened && s.max <= SPA_LEGIT_LIMIT_MS,
    });
  }
  return out;
}

export function spaGlance(report: BenchReport): string[] {
  const p = result(report, 'portcullis-spa');
  const f = result(report, 'fwknopd');
  const out: string[] = [];
  if (p?.latency && f?.latency) {
    const [a, b] = [lat(p.latency).p50, lat(f.latency).p50];
    out.push(`SPA, idle server: a valid SPA packet opens in ${ms(a)} with Portcullis (nftables backend) and ${ms(b)} with fwknopd 2.6.10 running \`nft add element\` as its CMD_CYCLE_OPEN (medians; Portcullis ${times(ratio(b, a))} faster).`);
  }
  if (p?.flood && f?.flood) {
    const pf = p.flood;
    const ff = f.flood;
    const legit = (x: SpaFloodRun) => `${opened(x.legit)} of ${x.legit.length} legitimate packets opened${opened(x.legit) > 0 ? ` (max ${ms(lat(x.legit).max)})` : ''}`;
    out.push(
      `SPA flood of wrong-HMAC and random packets (${int(offeredPerSecond(pf))}/s and ${int(offeredPerSecond(ff))}/s offered): ` +
        `Portcullis rejected ${int(rejectedPerSecond(pf))}/s using ${secs(pf.cpuSeconds)} of CPU, ${legit(pf)}; ` +
        `fwknopd rejected ${int(rejectedPerSecond(ff))}/s using ${secs(ff.cpuSeconds)}, ${legit(ff)}.`,
    );
  }
  return out;
}

export function spaConsole(report: BenchReport): string[] {
  const r = report.spa;
  if (!r || r.length === 0) return [];
  const o = report.options;
  const out: string[] = [];
  if (r.some((x) => x.latency)) out.push('', '4. SPA packet-to-open latency (idle server)', textTable(spaLatencyRows(r)));
  if (r.some((x) => x.flood)) out.push('', `5. SPA flood (${o.spaFloodRate > 0 ? `paced to ${int(o.spaFloodRate)}/s` : 'as fast as one node process can'}, ${o.spaFloodSeconds} s) with ${o.spaFloodValid} legitimate packets`, textTable(spaFloodRows(r)));
  return out;
}

export function spaMarkdown(report: BenchReport): string[] {
  const r = report.spa;
  if (!r || r.length === 0) return [];
  const o = report.options;
  const nic = report.serverIface ?? 'eth0';
  const s: string[] = [];
  if (r.some((x) => x.latency)) {
    s.push('## 4. SPA: packet-to-open latency, Portcullis and fwknopd', '');
    s.push(`${o.spaPackets} valid SPA packets per daemon (fwknop's wire format: Rijndael + HMAC-SHA256, an access request for tcp/22), one at a time on an otherwise idle server, each from its own client address (a small node process in the client namespace, bound to that address, sends the UDP datagram to port ${SPA_PORT}). Latency is from the packet arriving on the server's interface (tcpdump's kernel timestamp) to the element being in the set (\`nft monitor\`): \`inet portcullis grants4\` for Portcullis's SPA door with its nftables backend, \`inet bench allowed\` for fwknopd 2.6.10, whose CMD_CYCLE_OPEN runs \`${FWKNOP_OPEN_COMMAND}\` (execvp, no shell). The element was deleted after each packet.`, '');
    s.push(markdownTable(spaLatencyRows(r)), '');
    s.push('fwknopd reads its capture with `pcap_dispatch()` and then sleeps `PCAP_LOOP_SLEEP` (100 ms by default, kept here): a packet waits for the end of that sleep, which is most of its latency.', '');
  }
  if (r.some((x) => x.flood)) {
    s.push('## 5. SPA: a flood of wrong-HMAC and random packets with a legitimate client', '');
    s.push(`One node process in the client namespace sends datagrams to udp/${SPA_PORT} ${o.spaFloodRate > 0 ? `paced to ${int(o.spaFloodRate)} per second` : 'as fast as it can'} for ${o.spaFloodSeconds} s (at most ${int(o.spaFloodCount)}), round-robin from a pool of 4,000 pre-made payloads: half are well-formed packets of the right length, encrypted with the right key but authenticated with a random HMAC key (a fresh one per payload), half random base64 of 140–400 characters. Meanwhile ${o.spaFloodValid} valid packets, evenly spread, come from fresh client addresses (tcpdump's filter leaves out the flood's source address, so its timestamps are the legitimate packets'); each had ${o.windowMs} ms to open. Before the flood, one unmeasured valid packet: the nftables backend starts its \`nft -i\` at its first grant (section 4's first packet includes that start-up), and the flood measures the running daemon.`, '');
    s.push(markdownTable(spaFloodRows(r)), '');
    s.push(`What was measured. *Sent*: the generator's own count. *Arrived*: the server interface's receive counter (\`/proc/PID/net/dev\` of a process in the server namespace), flood and legitimate packets. *Handled* and *rejected*, Portcullis: \`counters.spa\` of \`portcullis status --json\` (its control socket), before and after (\`packets\` and the sum of \`refused\`); fwknopd: its own log lines (foreground, no \`-v\`: what it sends to syslog), one "SPA Packet from IP: … received with access source match" per datagram it took from pcap and one "Error creating fko context: …" (or another refusal) per rejection. Packets that arrived but were not handled were dropped by the kernel when the daemon's capture buffer was full. *Rejected/s* divides the rejections by the time from the flood's start until the daemon was idle again (under 3 % of a core over 500 ms), so a backlog worked off after the flood counts at its real pace. *CPU*: utime + stime from \`/proc/PID/stat\` over that span; *rejected per CPU second* is what one core fully given to the daemon would handle (CPU time is counted in 10 ms ticks, so a figure from a few hundredths of a second, like fwknopd's, is coarse). Both daemons are single-threaded. The generator itself keeps one of the machine's cores busy, and the kernel's delivery of its datagrams to the server namespace runs on that core too.`, '');
  }
  s.push('### SPA configuration', '');
  s.push('Portcullis (`portcullis serve -c FILE -i ' + nic + ' --state-dir DIR --control-socket DIR/control.sock`):', '', '```', spaPortcullisConfig().trimEnd(), '```', '');
  s.push('fwknopd (`fwknopd -f -i ' + nic + ' -c fwknopd.conf -a access.conf`; every stanza has CMD_CYCLE_OPEN, so fwknopd never touches iptables):', '', '```', fwknopdConf(nic, 'DIR').trimEnd(), '```', '', '```', fwknopAccessConf().trimEnd(), '```', '');
  return s;
}
