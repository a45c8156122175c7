import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BurstRun } from './burst.js';
import type { FloodRun } from './flood.js';
import type { KnockResult } from './knock-result.js';
import type { MachineInfo } from './machine.js';
import { parseOptions, type BenchOptions } from './options.js';
import { atAGlance, renderConsole, renderMarkdown } from './report.js';
import type { BenchReport } from './results.js';
import { burstRows, floodRows, latencyRows, targetChecks } from './tables.js';

const machine: MachineInfo = {
  cpu: 'Test CPU 9000', cores: 2, ramGiB: 8, kernel: '6.1.0', node: 'v20.0.0', portcullis: 'portcullis 0.1.0',
  knockd: 'knockd 0.8 (Debian 0.8-2+b4)', hping3: '3.a2.ds2-10', nft: 'nftables v1.0.6', loadAtStart: 0.25,
};

const knock = (i: number, latencyMs: number | undefined, opened = true): KnockResult => ({
  src: `10.0.0.${20 + i}`, knockedAt: 1000 * i, exitedAt: 1000 * i + 5, opened,
  ...(latencyMs === undefined ? {} : { latencyMs, fromClientMs: latencyMs - 1, captureToExitMs: 1 }),
});

const flood = (over: Partial<FloodRun>): FloodRun => ({
  knocks: [knock(0, 10), knock(1, 20)], knocksDuringFlood: 2, offered: { packets: 200_000, seconds: 10, pps: 20_000 },
  rssKb: { start: 50_000, floodEnd: 60_000, lateSlopeKbPerS: 0, peak: 61_000, end: 60_000 },
  cpuSeconds: 5, cpuSecondsWhileSending: 4.5, commandCpuSeconds: 0.1, settleMs: 500, floodMs: 10_000, ...over,
});

function report(): BenchReport {
  const options = parseOptions([], {}, '/tmp/x.md') as BenchOptions;
  return {
    startedAt: new Date('2026-01-02T03:04:05Z'), seconds: 100, machine, options, floodInterval: 'u40',
    calibration: { interval: 'u40', pps: 19_000, tried: [{ interval: 'u50', burst: { packets: 1, seconds: 1, pps: 15_000 } }] },
    results: [
      { kind: 'portcullis', latency: [knock(0, 4), knock(1, 6), knock(2, 8)], flood: flood({}), floodLog: { lines: 300, stageLines: 200, openLines: 2, suppressed: 1000 } },
      {
        kind: 'knockd', latency: [knock(0, 16), knock(1, 18), knock(2, 20)],
        flood: flood({ knocks: [knock(0, 400), { ...knock(1, undefined, false), lateMs: 3000 }, { ...knock(2, undefined, false), lastPacketArrived: true }], cpuSeconds: 10, rssKb: { start: 5000, floodEnd: 15_000, lateSlopeKbPerS: 800, peak: 15_000, end: 15_000 } }),
        floodLog: { lines: 100_000, stageLines: 99_000, openLines: 1, suppressed: 0 },
      },
    ],
  };
}

test('latency rows compare the daemons and give Portcullis/knockd', () => {
  const rows = latencyRows(report());
  assert.deepEqual(rows[0], ['', 'Portcullis (command)', 'knockd', 'Portcullis/knockd']);
  assert.deepEqual(rows.find((r) => r[0] === 'latency p50'), ['latency p50', '6.00 ms', '18.0 ms', '0.33×']);
  assert.deepEqual(rows.find((r) => r[0] === 'knocks opened within the window'), ['knocks opened within the window', '3/3', '3/3', '']);
});

test('flood rows count opens, late opens and never-opened knocks', () => {
  const rows = floodRows(report());
  assert.deepEqual(rows.find((r) => r[0] === 'opened within the window'), ['opened within the window', '2/2 (100 %)', '1/3 (33 %)', '3.00×']);
  assert.deepEqual(rows.find((r) => r[0] === 'opened late / never'), ['opened late / never', '0 / 0', '1 (latest 3000 ms) / 1', '']);
  assert.deepEqual(rows.find((r) => r[0] === 'never opened, yet the last knock packet reached the server'), ['never opened, yet the last knock packet reached the server', '0 of 0', '1 of 1', '']);
  assert.deepEqual(rows.find((r) => r[0] === 'CPU, flood start → idle again'), ['CPU, flood start → idle again', '5.00 s', '10.00 s', '0.50×']);
});

test('targets: all opens, flat memory, less CPU than knockd', () => {
  const checks = targetChecks(report());
  assert.deepEqual(checks.map((c) => c.met), [true, false, true]);
  assert.match(checks[1]?.measured ?? '', /48\.8 MB → 58\.6 MB/);
});

test('the markdown report has the machine, both scenarios, targets and method', () => {
  const md = renderMarkdown(report());
  for (const want of ['Test CPU 9000', '2026-01-02 03:04:05 UTC', '## At a glance', '## Targets', '## 1. Knock-to-open latency', '## 2. Spoofed-source SYN flood', '## Method', 'hping3 -q -S --rand-source -p 7000 -i u40 --count 400000 SERVER', 'nft add element inet bench allowed { %IP% }', '| latency p50 | 6.00 ms | 18.0 ms | 0.33× |']) {
    assert.ok(md.includes(want), `missing: ${want}`);
  }
  assert.match(renderConsole(report()), /\[MISSED\] memory flat/);
});

test('with one daemon there is no ratio column and no CPU target', () => {
  const one = { ...report(), results: report().results.filter((r) => r.kind === 'portcullis') };
  assert.deepEqual(latencyRows(one)[0], ['', 'Portcullis (command)']);
  assert.equal(targetChecks(one).length, 2);
});

const burst = (sources: number, grantMs: number[], over: Partial<BurstRun> = {}): BurstRun => ({
  sources, windowMs: 20_000, sendMs: 150, grantMs, fromLastPacketMs: grantMs.map((g) => g - 100),
  client: { firstSynAt: 1, sentAt: 151, connects: sources * 3, outcomes: { ECONNREFUSED: sources * 3 }, leftOpen: 0, why: 'all closed' },
  lastPacketsSeen: sources, missedButArrived: sources - grantMs.length, inSetAtEnd: grantMs.length, serverRsts: sources * 3, ...over,
});

/** All three daemons: the nftables backend's latency and everyone's burst. */
function threeWay(nftP50 = 3): BenchReport {
  const r = report();
  const [p, k] = r.results as [BenchReport['results'][number], BenchReport['results'][number]];
  return {
    ...r,
    results: [
      { ...p, burst: burst(4, [100, 200, 300, 400]) },
      { kind: 'portcullis-nft', latency: [knock(0, nftP50 - 1), knock(1, nftP50), knock(2, nftP50 + 1)], burst: burst(4, [10, 20, 30, 40]) },
      { ...k, burst: burst(4, [1000]) },
    ],
  };
}

test('three daemons: a column each and a ratio to knockd for each Portcullis variant', () => {
  const rows = latencyRows(threeWay());
  assert.deepEqual(rows[0], ['', 'Portcullis (command)', 'Portcullis (nftables)', 'knockd', 'command/knockd', 'nftables/knockd']);
  assert.deepEqual(rows.find((r) => r[0] === 'latency p50'), ['latency p50', '6.00 ms', '3.00 ms', '18.0 ms', '0.33×', '0.17×']);
  // The flood ran for Portcullis (command) and knockd only: no nftables column there.
  assert.deepEqual(floodRows(threeWay())[0], ['', 'Portcullis (command)', 'knockd', 'Portcullis/knockd']);
});

test('burst rows: grants opened, time to the last, grants per second, ratios to knockd', () => {
  const rows = burstRows(threeWay());
  assert.deepEqual(rows[0], ['', 'Portcullis (command)', 'Portcullis (nftables)', 'knockd', 'command/knockd', 'nftables/knockd']);
  assert.deepEqual(rows.find((r) => r[0]?.startsWith('grants opened')), ['grants opened within the window', '4/4 (100 %)', '4/4 (100 %)', '1/4 (25 %)', '4.00×', '4.00×']);
  assert.deepEqual(rows.find((r) => r[0]?.startsWith('grants per second')), ['grants per second (opened ÷ time to the last)', '10/s', '100/s', '1/s', '10×', '100×']);
  assert.deepEqual(rows.find((r) => r[0]?.startsWith('time from the first SYN')), ['time from the first SYN to the last grant', '400 ms', '40.0 ms', '1000 ms', '0.40×', '0.040×']);
  assert.deepEqual(rows.find((r) => r[0]?.startsWith('no grant, yet')), ['no grant, yet the last knock packet reached the server', '0', '0', '3', '', '']);
});

test('the nftables latency target: met at 5× lower than knockd, missed above', () => {
  const met = targetChecks(threeWay(3.6)).find((c) => c.target.startsWith('nftables backend p50'));
  assert.ok(met);
  assert.equal(met.met, true);
  assert.match(met.measured, /3\.60 ms vs 18\.0 ms \(5\.0× lower\)/);
  assert.equal(targetChecks(threeWay(3.7)).find((c) => c.target.startsWith('nftables backend p50'))?.met, false);
  // No nftables run: no such target.
  assert.equal(targetChecks(report()).some((c) => c.target.startsWith('nftables')), false);
});

test('the report has the three-way latency, the burst section and an accurate glance', () => {
  const md = renderMarkdown(threeWay());
  for (const want of ['## 3. A burst of distinct clients knocking at once', '| latency p50 | 6.00 ms | 3.00 ms | 18.0 ms | 0.33× | 0.17× |', 'firewall      = nftables', 'inet portcullis grants4', '**Burst.**']) {
    assert.ok(md.includes(want), `missing: ${want}`);
  }
  const glance = atAGlance(threeWay());
  assert.match(glance[0] ?? '', /3\.00 ms with Portcullis's nftables backend, 6\.00 ms with Portcullis running the start command and 18\.0 ms with knockd/);
  assert.match(glance[0] ?? '', /the nftables backend 6\.00× faster than knockd/);
  assert.match(glance.at(-1) ?? '', /^Burst of 1,000 distinct clients knocking at once: Portcullis \(command\) opened 4, the last 0\.40 s after/);
  assert.match(glance.at(-1) ?? '', /knockd opened 1 within 20 s, the last 1\.00 s after the first SYN \(1 grants\/s\)\. Not all daemons \(knockd did not\) opened all 1,000: the missing clients' knocks reached the server/);
  assert.match(renderConsole(threeWay()), /3\. burst: 1,000 distinct clients/);
});

test('when every daemon opened the whole burst, the glance gives grants per second relative to knockd', () => {
  const r = threeWay();
  const all = { ...r, options: { ...r.options, burstSources: 4 }, results: r.results.map((x) => (x.kind === 'knockd' ? { ...x, burst: burst(4, [1000, 2000, 3000, 4000]) } : x)) };
  const line = atAGlance(all).at(-1) ?? '';
  assert.match(line, /knockd opened 4, the last 4\.00 s after the first SYN \(1 grants\/s\)\. Grants per second relative to knockd: Portcullis \(command\) 10×, Portcullis \(nftables\) 100×\.$/);
  assert.equal(renderMarkdown(all).includes('were lost inside the daemon'), false);
});
