// Scenario 3: a burst of distinct knocking clients. One node process in the
// client namespace knocks the whole sequence from each of N source addresses
// at once (every source's first step, then every source's second, ...); nft
// monitor says when each grant appears. The sources are /32 addresses in a
// /22 next to the lab's (see burstPrefix), routed from the server via the
// client, so the server's answers (RSTs from the closed knock ports) reach
// them.
import type { Lab } from '../test/e2e/lab.js';
import { run, mustSucceed } from '../test/e2e/lab/run.js';
import type { KnockTools } from './knock-result.js';
import { readSnmpTcp } from './procfs.js';
import { SEQUENCE, type GrantSet } from './ruleset.js';
import { percentile } from './stats.js';

/** Sources a /22 holds without its network and broadcast addresses, rounded down. */
export const MAX_BURST = 1000;

export interface BurstPrefix {
  /** "10.a.c." with c the first third octet of the /22. */
  readonly base: string;
  readonly third: number;
  /** "10.a.c.0/22". */
  readonly cidr: string;
}

/**
 * The /22 after the one holding the lab's segments. The lab's /24s are
 * 10.a.b.0 and 10.a.(b+1).0 with b even and at most 248 (test/e2e/lab.ts),
 * so both lie in the aligned /22 at floor(b/4)*4, and the next one (at most
 * 10.a.252.0/22) is unused and still inside 10.a/16.
 */
export function burstPrefix(serverIp4: string): BurstPrefix {
  const m = /^10\.(\d+)\.(\d+)\.\d+$/.exec(serverIp4);
  if (!m) throw new Error(`the lab's address ${serverIp4} is not 10.a.b.c`);
  const b = Number(m[2]);
  const third = Math.floor(b / 4) * 4 + 4;
  if (third > 252) throw new Error(`no free /22 after 10.${m[1]}.${b}.0/24`);
  const base = `10.${m[1]}.`;
  return { base, third, cidr: `${base}${third}.0/22` };
}

/** The first `n` host addresses of the prefix: .1 on (never the network or broadcast address). */
export function burstSources(prefix: BurstPrefix, n: number): string[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_BURST) throw new Error(`a burst has 1 to ${MAX_BURST} sources, not ${n}`);
  const out: string[] = [];
  for (let i = 1; i <= n; i++) out.push(`${prefix.base}${prefix.third + (i >> 8)}.${i & 255}`);
  return out;
}

/** The burst's source addresses, on the client, routed from the server. */
export class BurstPool {
  private constructor(readonly prefix: BurstPrefix, readonly sources: readonly string[]) {}

  static async create(lab: Lab, n: number): Promise<BurstPool> {
    const prefix = burstPrefix(lab.server.ip4);
    const sources = burstSources(prefix, n);
    const client = lab.host('client');
    const batch = sources.map((ip) => `addr add ${ip}/32 dev ${client.iface}\n`).join('');
    mustSucceed(await run(['ip', '-n', client.ns, '-batch', '-'], { input: batch }));
    mustSucceed(await run(['ip', '-n', lab.server.ns, 'route', 'add', prefix.cidr, 'via', client.ip4, 'dev', lab.server.iface]));
    return new BurstPool(prefix, sources);
  }
}

// argv: server, ports (comma-separated), sources (comma-separated), time limit
// in ms. For each port in order, for each source: connect from that source.
// Node issues each connect() on the next tick, in order, and the kernel sends
// the SYN inside connect(), so one source's steps leave in sequence order.
// Nothing listens on the knock ports: the server answers RST, which ends the
// socket (ECONNREFUSED); what is left after a second is destroyed. Prints one
// JSON line: the wall-clock time right after the first SYN left and after
// the last, and how the connects ended.
export const BURST_SCRIPT = `
const net = require('node:net');
const [host, portList, sourceList, limitText] = process.argv.slice(1);
const ports = portList.split(',').map(Number);
const sources = sourceList.split(',');
// Wall clock with sub-millisecond resolution, as bench/wall-clock.ts.
const tick = Date.now();
let now = tick, perf = performance.now();
while (now === tick) { perf = performance.now(); now = Date.now(); }
const offset = now - perf;
const wall = () => offset + performance.now();
const outcomes = {};
const sockets = new Set();
let firstSynAt, sentAt, finished = false;
const finish = (why) => {
  if (finished) return;
  finished = true;
  const leftOpen = sockets.size;
  for (const s of sockets) s.destroy();
  process.stdout.write(JSON.stringify({ firstSynAt, sentAt, connects: ports.length * sources.length, outcomes, leftOpen, why }) + '\\n');
  process.exit(0);
};
setTimeout(() => finish('time limit'), Number(limitText));
const count = (what) => { outcomes[what] = (outcomes[what] || 0) + 1; };
for (const port of ports) {
  for (const src of sources) {
    const s = net.connect({ host, port, localAddress: src });
    if (firstSynAt === undefined) { firstSynAt = 0; process.nextTick(() => { firstSynAt = wall(); }); }
    sockets.add(s);
    s.on('connect', () => { count('connected'); s.destroy(); });
    s.on('error', (e) => count(e.code || e.message));
    s.on('close', () => { sockets.delete(s); if (sentAt !== undefined && sockets.size === 0) finish('all closed'); });
  }
}
setImmediate(() => {
  sentAt = wall();
  if (sockets.size === 0) finish('all closed');
  setTimeout(() => finish('destroyed after 1 s'), 1000);
});
`;

export interface BurstClientReport {
  readonly firstSynAt: number;
  readonly sentAt: number;
  readonly connects: number;
  /** ECONNREFUSED (the expected RST), connected, EADDRNOTAVAIL, ... and how many. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly leftOpen: number;
  readonly why: string;
}

export function parseBurstClient(stdout: string): BurstClientReport {
  const line = stdout.trim().split('\n').pop() ?? '';
  let r: Partial<BurstClientReport>;
  try {
    r = JSON.parse(line) as Partial<BurstClientReport>;
  } catch {
    throw new Error(`the burst client printed no report: ${stdout.slice(0, 500)}`);
  }
  if (typeof r.firstSynAt !== 'number' || r.firstSynAt <= 0 || typeof r.sentAt !== 'number') {
    throw new Error(`the burst client sent nothing: ${line}`);
  }
  return { firstSynAt: r.firstSynAt, sentAt: r.sentAt, connects: r.connects ?? 0, outcomes: r.outcomes ?? {}, leftOpen: r.leftOpen ?? 0, why: r.why ?? '' };
}

export interface BurstRun {
  readonly sources: number;
  /** How long grants were waited for, from the first SYN. */
  readonly windowMs: number;
  /** First SYN left → last SYN left, from the client's own clock. */
  readonly sendMs: number;
  readonly client: BurstClientReport;
  /** For each grant that appeared within the window: ms from the burst's first SYN. */
  readonly grantMs: readonly number[];
  /** For the same grants: ms from that source's last knock packet at the server (kernel timestamp), where tcpdump caught it. */
  readonly fromLastPacketMs: readonly number[];
  /** Sources whose last knock packet tcpdump saw at the server. */
  readonly lastPacketsSeen: number;
  /** Sources with no grant within the window although tcpdump saw their last knock packet arrive. */
  readonly missedButArrived: number;
  /** The burst's elements in the set at the end (a cross-check on nft monitor). */
  readonly inSetAtEnd: number;
  /** RSTs the server's TCP stack sent during the burst: one per SYN that reached it. */
  readonly serverRsts: number;
}

export interface BurstOptions {
  readonly windowMs: number;
  readonly set: GrantSet;
  /** Any process in the server namespace (for its TCP counters). */
  readonly netPid: number;
}

export async function measureBurst(lab: Lab, tools: KnockTools, pool: BurstPool, opts: BurstOptions): Promise<BurstRun> {
  const limitMs = 10_000;
  const before = readSnmpTcp(opts.netPid);
  const r = await lab.exec('client', [process.execPath, '-e', BURST_SCRIPT, lab.server.ip4, SEQUENCE.join(','), pool.sources.join(','), String(limitMs)], { timeoutMs: limitMs + 15_000 });
  if (r.code !== 0) throw new Error(`the burst client failed (exit ${r.code ?? r.signal}): ${r.stderr.slice(0, 1000)}`);
  const client = parseBurstClient(r.stdout);
  const start = client.firstSynAt;
  const deadline = start + opts.windowMs;
  const firstAdd = (ip: string) => tools.watch.addsOf(ip, start).find((t) => t <= deadline);
  // Grants are stamped as their monitor lines arrive; this loop only decides when to stop waiting.
  while (tools.clock.now() < deadline && pool.sources.some((ip) => firstAdd(ip) === undefined)) {
    await new Promise((res) => setTimeout(res, 50));
  }
  // tcpdump prints the burst's last-step SYNs within moments; give it a little time.
  await new Promise((res) => setTimeout(res, 200));
  const grantMs: number[] = [];
  const fromLastPacketMs: number[] = [];
  let lastPacketsSeen = 0;
  let missedButArrived = 0;
  for (const ip of pool.sources) {
    const at = firstAdd(ip);
    const last = tools.capture.seenFrom(ip, start - 1);
    if (last) lastPacketsSeen++;
    if (at === undefined) {
      if (last) missedButArrived++;
      continue;
    }
    grantMs.push(at - start);
    if (last) fromLastPacketMs.push(at - last.at);
  }
  const after = readSnmpTcp(opts.netPid);
  const listing = await lab.mustExec('server', ['nft', 'list', 'set', ...opts.set.table.split(' '), opts.set.set], { timeoutMs: 30_000 });
  return {
    sources: pool.sources.length,
    windowMs: opts.windowMs,
    sendMs: client.sentAt - client.firstSynAt,
    client,
    grantMs,
    fromLastPacketMs,
    lastPacketsSeen,
    missedButArrived,
    inSetAtEnd: countListed(listing.stdout, pool.sources),
    serverRsts: (after.OutRsts ?? NaN) - (before.OutRsts ?? NaN),
  };
}

/** How many of `sources` appear in `nft list set` output. */
export function countListed(listing: string, sources: readonly string[]): number {
  const want = new Set(sources);
  const seen = new Set<string>();
  for (const m of listing.matchAll(/\b\d+\.\d+\.\d+\.\d+\b/g)) if (want.has(m[0])) seen.add(m[0]);
  return seen.size;
}

export interface BurstSummary {
  readonly sources: number;
  readonly opened: number;
  /** First SYN → the last grant that appeared within the window. */
  readonly timeToLastMs: number;
  /** Grants opened per second: opened / time to the last (= sources / time to the last when all opened). */
  readonly perSecond: number;
  /** Per-grant time from the burst's first SYN, over the grants that opened. */
  readonly p50: number;
  readonly p90: number;
}

export function summarizeBurst(run: Pick<BurstRun, 'sources' | 'grantMs'>): BurstSummary {
  const opened = run.grantMs.length;
  const timeToLastMs = opened === 0 ? NaN : Math.max(...run.grantMs);
  return {
    sources: run.sources,
    opened,
    timeToLastMs,
    perSecond: opened === 0 || !(timeToLastMs > 0) ? (opened === 0 ? 0 : NaN) : opened / (timeToLastMs / 1000),
    p50: percentile(run.grantMs, 50),
    p90: percentile(run.grantMs, 90),
  };
}
