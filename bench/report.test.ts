import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FloodRun } from './flood.js';
import type { KnockResult } from './knock-result.js';
import type { MachineInfo } from './machine.js';
import { parseOptions, type BenchOptions } from './options.js';
import { renderConsole, renderMarkdown } from './report.js';
import type { BenchReport } from './results.js';
import { floodRows, latencyRows, targetChecks } from './tables.js';

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
  assert.deepEqual(rows[0], ['', 'Portcullis', 'knockd', 'Portcullis/knockd']);
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
  assert.deepEqual(latencyRows(one)[0], ['', 'Portcullis']);
  assert.equal(targetChecks(one).length, 2);
});
