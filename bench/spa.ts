// The SPA section: Portcullis's SPA door (nftables backend) and fwknopd
// 2.6.10 (pcap, CMD_CYCLE_OPEN running `nft add element inet bench allowed`)
// in the same lab, one after the other.
//   latency: one valid SPA packet at a time, each from a fresh client
//            address; the packet on the server's interface (tcpdump) → the
//            element in the set (nft monitor);
//   flood:   one node process in the client namespace sends wrong-HMAC and
//            random packets at the SPA port as fast as it can, while valid
//            packets from fresh addresses are spread over the flood.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchStatus } from '../src/control/client.js';
import { PORTCULLIS_BIN, type Lab } from '../test/e2e/lab.js';
import { RunningDaemon } from './daemons.js';
import type { KnockResult, KnockTools } from './knock-result.js';
import { readCpu, readNet, ticksPerSecond } from './procfs.js';
import { deleteElementArgv } from './ruleset.js';
import {
  countFwknopdLog, diffTotals, floodPool, fwknopAccessConf, fwknopdConf, parseUdpLine, spaGrantSetOf, spaPortcullisConfig, spaTotals,
  SPA_PORT, validPacket, type CapturedUdp, type SpaKind, type SpaTotals,
} from './spa-setup.js';
import { TcpdumpCapture } from './tcpdump-capture.js';
import type { WallClock } from './wall-clock.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SEND_SCRIPT = join(HERE, 'spa-send.js');
const FLOOD_SCRIPT = join(HERE, 'spa-flood-gen.js');

/** Kernel timestamps of the legitimate SPA packets (never the flood's: its source is filtered out in the kernel). */
export type SpaCapture = TcpdumpCapture<CapturedUdp>;

export const SpaCapture = {
  start(lab: Lab, clock: WallClock, floodSource: string): Promise<SpaCapture> {
    const filter = `udp dst port ${SPA_PORT} and dst host ${lab.server.ip4} and not src host ${floodSource}`;
    return TcpdumpCapture.start(lab, clock, filter, parseUdpLine, 'tcpdump spa');
  },
};

export interface SpaDaemon {
  readonly kind: SpaKind;
  readonly daemon: RunningDaemon<SpaKind>;
  /** Portcullis's control socket (counters.spa). */
  readonly controlSocket?: string;
}

let started = 0;

/** Starts `kind` in the server namespace and waits for its ready line. */
export async function startSpaDaemon(kind: SpaKind, lab: Lab): Promise<SpaDaemon> {
  const n = ++started;
  const dir = join(lab.tmp, `spa-${kind}-${n}`);
  mkdirSync(dir, { recursive: true });
  let argv: string[];
  let ready: RegExp;
  let controlSocket: string | undefined;
  if (kind === 'portcullis-spa') {
    const config = join(dir, 'portcullis.conf');
    writeFileSync(config, spaPortcullisConfig());
    controlSocket = join(dir, 'control.sock');
    argv = [process.execPath, PORTCULLIS_BIN, 'serve', '-c', config, '-i', lab.server.iface, '--state-dir', dir, '--control-socket', controlSocket];
    ready = new RegExp(`listening on ${lab.server.iface}`);
  } else {
    const conf = join(dir, 'fwknopd.conf');
    const access = join(dir, 'access.conf');
    // fwknopd wants its config files 0600.
    writeFileSync(conf, fwknopdConf(lab.server.iface, dir), { mode: 0o600 });
    writeFileSync(access, fwknopAccessConf(), { mode: 0o600 });
    chmodSync(conf, 0o600);
    chmodSync(access, 0o600);
    // -f: foreground; no -v: the log is what a deployed fwknopd sends to syslog (one line per packet, one per refusal).
    argv = ['fwknopd', '-f', '-i', lab.server.iface, '-c', conf, '-a', access];
    ready = /Starting fwknopd main event loop/;
  }
  const logPath = join(dir, 'output.log');
  const fd = openSync(logPath, 'w');
  let child: ChildProcess;
  try {
    child = spawn('ip', ['netns', 'exec', lab.ns('server'), ...argv], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const daemon = new RunningDaemon<SpaKind>(kind, child, logPath);
  const deadline = performance.now() + 30_000;
  while (!ready.test(daemon.output())) {
    if (!daemon.running || performance.now() > deadline) {
      await daemon.stop();
      throw new Error(`${kind} did not start (${argv.join(' ')})\n${daemon.output()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { kind, daemon, ...(controlSocket ? { controlSocket } : {}) };
}

export interface SpaTools extends KnockTools {
  readonly spaCapture: SpaCapture;
}

export interface SentSpa {
  readonly src: string;
  readonly knockedAt: number;
  readonly exitedAt: number;
}

/** Sends one valid packet from a fresh client address. */
export async function sendValidSpa(lab: Lab, tools: SpaTools): Promise<SentSpa> {
  const src = tools.knocker.takeSource();
  const packet = validPacket(src, Math.floor(Date.now() / 1000));
  const knockedAt = tools.clock.now();
  await lab.mustExec('client', [process.execPath, SEND_SCRIPT, src, lab.server.ip4, String(SPA_PORT), packet], { timeoutMs: 15_000 });
  return { src, knockedAt, exitedAt: tools.clock.now() };
}

/** Waits up to `windowMs` after the sender exited for the element. */
export async function awaitSpaOpen(tools: SpaTools, sent: SentSpa, windowMs: number): Promise<KnockResult> {
  const remaining = sent.exitedAt + windowMs - tools.clock.now();
  const addedAt = await tools.watch.waitForAdd(sent.src, sent.knockedAt, Math.max(0, remaining));
  const pkt = await tools.spaCapture.firstFrom(sent.src, sent.knockedAt - 1, addedAt === undefined ? 200 : 1000);
  if (addedAt === undefined) return { ...sent, opened: false, lastPacketArrived: pkt !== undefined };
  return {
    ...sent,
    opened: true,
    ...(pkt ? { latencyMs: addedAt - pkt.at, captureToExitMs: sent.exitedAt - pkt.at } : {}),
    fromClientMs: addedAt - sent.exitedAt,
  };
}

function withLateOpens(results: readonly KnockResult[], tools: SpaTools): KnockResult[] {
  return results.map((r) => {
    if (r.opened) return r;
    const at = tools.watch.addsOf(r.src, r.knockedAt)[0];
    return at === undefined ? r : { ...r, lateMs: at - r.knockedAt };
  });
}

export async function measureSpaLatency(lab: Lab, tools: SpaTools, kind: SpaKind, packets: number, windowMs: number): Promise<KnockResult[]> {
  const out: KnockResult[] = [];
  for (let i = 0; i < packets; i++) {
    const r = await awaitSpaOpen(tools, await sendValidSpa(lab, tools), windowMs);
    out.push(r);
    if (r.opened) await lab.mustExec('server', deleteElementArgv(r.src, spaGrantSetOf(kind)));
    await sleep(100);
  }
  return withLateOpens(out, tools);
}

export interface SpaFloodOptions {
  readonly seconds: number;
  /** Upper bound on flood datagrams. */
  readonly count: number;
  /** Datagrams per second the generator paces itself to; 0: as fast as it can. */
  readonly rate: number;
  /** Legitimate packets spread over the flood. */
  readonly valid: number;
  readonly windowMs: number;
}

export interface SpaFloodRun {
  readonly legit: KnockResult[];
  /** What the generator sent, over how long. */
  readonly generator: { readonly sent: number; readonly ms: number; readonly errors: number };
  /** Packets that arrived on the server's interface during the flood (all of them: flood and legitimate). */
  readonly arrived: number;
  /** Datagrams the daemon took in and judged (Portcullis: counters.spa.packets; fwknopd: its "SPA Packet from IP" lines). */
  readonly handled: number;
  /** Of those, refused (Portcullis: counters.spa.refused; fwknopd: its refusal lines). */
  readonly rejected: number;
  readonly byReason: Readonly<Record<string, number>>;
  /** Daemon CPU (user + system) from the flood's start until it was idle again. */
  readonly cpuSeconds: number;
  /** Flood start → the daemon idle again (ms). */
  readonly busyMs: number;
}

/** Pre-made flood payloads: half wrong HMAC (right key, random HMAC key each), half random base64 of 140–400 characters. */
const POOL = 4000;

export async function measureSpaFlood(lab: Lab, tools: SpaTools, d: SpaDaemon, opts: SpaFloodOptions, netPid: number): Promise<SpaFloodRun> {
  const floodSrc = lab.host('client').ip4;
  const poolFile = join(lab.tmp, `spa-flood-pool-${d.kind}.txt`);
  writeFileSync(poolFile, `${floodPool(POOL, floodSrc, Math.floor(Date.now() / 1000)).join('\n')}\n`);
  // One unmeasured valid packet first: Portcullis's nftables backend starts its `nft -i` at the first grant,
  // and that start-up belongs to the daemon's first grant ever, not to the flood (section 4 includes it once).
  const warm = await awaitSpaOpen(tools, await sendValidSpa(lab, tools), opts.windowMs);
  if (warm.opened) await lab.mustExec('server', deleteElementArgv(warm.src, spaGrantSetOf(d.kind)));
  await sleep(1000);
  const counters = () => readCounters(d);
  const before = { cpu: readCpu(d.daemon.pid).self, counts: await counters(), net: readNet(netPid, lab.server.iface).rxPackets };
  const t0 = performance.now();
  const gen = lab.mustExec('client', [process.execPath, FLOOD_SCRIPT, poolFile, lab.server.ip4, String(SPA_PORT), String(opts.seconds), String(opts.count), String(opts.rate), floodSrc], { timeoutMs: opts.seconds * 1000 + 30_000 });
  const pending: Array<Promise<KnockResult>> = [];
  const spacing = (opts.seconds * 1000 - 600) / opts.valid;
  for (let i = 0; i < opts.valid; i++) {
    await sleep(t0 + 300 + i * spacing - performance.now());
    const sent = await sendValidSpa(lab, tools);
    pending.push(awaitSpaOpen(tools, sent, opts.windowMs).then(async (r) => {
      if (r.opened) await lab.mustExec('server', deleteElementArgv(r.src, spaGrantSetOf(d.kind)));
      return r;
    }));
  }
  const genResult = await gen;
  const arrived = readNet(netPid, lab.server.iface).rxPackets - before.net;
  const legit = await Promise.all(pending);
  const idleAt = await settle(d.daemon.pid);
  const after = { cpu: readCpu(d.daemon.pid).self, counts: await counters() };
  const diff = diffTotals(after.counts, before.counts);
  const generator = parseGenerator(genResult.stdout);
  return {
    legit: withLateOpens(legit, tools),
    generator,
    arrived,
    handled: diff.packets,
    rejected: diff.refused,
    byReason: diff.byReason,
    cpuSeconds: (after.cpu - before.cpu) / ticksPerSecond(),
    busyMs: Math.max(idleAt - t0, generator.ms),
  };
}

async function readCounters(d: SpaDaemon): Promise<SpaTotals> {
  if (d.controlSocket) {
    const report = await fetchStatus(d.controlSocket);
    return spaTotals(report.counters.spa);
  }
  const c = countFwknopdLog(d.daemon.output());
  return { packets: c.handled, opens: c.opened, refused: c.rejected, byReason: {} };
}

export function parseGenerator(stdout: string): { sent: number; ms: number; errors: number } {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const j = JSON.parse(line) as { sent?: unknown; ms?: unknown; errors?: unknown };
    return { sent: Number(j.sent), ms: Number(j.ms), errors: Number(j.errors) };
  } catch {
    throw new Error(`the flood generator printed no result: ${stdout}`);
  }
}

/** Waits until the process used under 3 % of a core over 500 ms (at most 15 s); returns when that quiet span began (performance.now()). */
async function settle(pid: number): Promise<number> {
  const hz = ticksPerSecond();
  const start = performance.now();
  for (;;) {
    const t = performance.now();
    const c = readCpu(pid).self;
    await sleep(500);
    const share = (readCpu(pid).self - c) / hz / 0.5;
    if (share < 0.03 || performance.now() - start > 15_000) return t;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
