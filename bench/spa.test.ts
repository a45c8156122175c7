import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSpa } from '../src/spa/codec.js';
import { countFwknopdLog, diffTotals, floodPool, fwknopAccessConf, parseUdpLine, randomB64, spaTotals, SPA_KEYS, validPacket, wrongHmacPacket } from './spa-setup.js';
import { parseGenerator } from './spa.js';
import { rejectedPerCpuSecond, rejectedPerSecond, spaFloodRows, spaLatencyRows, spaTargets } from './spa-report.js';
import type { SpaFloodRun } from './spa.js';
import type { BenchReport } from './results.js';
import type { KnockResult } from './knock-result.js';

test('tcpdump UDP lines', () => {
  const p = parseUdpLine('1795334135.361859108 IP 10.227.2.20.37854 > 10.227.2.1.62201: UDP, length 183');
  assert.deepEqual(p && { src: p.src, dst: p.dst, dport: p.dport, length: p.length }, { src: '10.227.2.20', dst: '10.227.2.1', dport: 62201, length: 183 });
  assert.ok(p && Math.abs(p.at - 1795334135361.859108) < 1e-3);
  assert.equal(parseUdpLine('1795334135.361859108 IP 10.227.2.20.37854 > 10.227.2.1.9000: Flags [S], seq 1'), undefined);
});

test('fwknopd log counts', () => {
  const log = [
    'Starting fwknopd main event loop.',
    '(stanza #1) SPA Packet from IP: 10.0.0.2 received with access source match',
    '[10.0.0.2] (stanza #1) Error creating fko context: Args contain invalid data: FKO_ERROR_INVALID_DATA_HMAC_COMPAREFAIL',
    '(stanza #1) SPA Packet from IP: 10.0.0.20 received with access source match',
    '[10.0.0.20] (stanza #1) Running CMD_CYCLE_OPEN command: /usr/sbin/nft add element inet bench allowed { 10.0.0.20 }',
    '(stanza #1) SPA Packet from IP: 10.0.0.2 received with access source match',
    'Replay detected from source IP: 10.0.0.2, Destination proto/port: 17/62201',
  ].join('\n');
  assert.deepEqual(countFwknopdLog(log), { handled: 3, rejected: 2, opened: 1 });
});

test('access.conf opens through nft, without a shell, and no close command', () => {
  assert.match(fwknopAccessConf(), /^CMD_CYCLE_OPEN +\/usr\/sbin\/nft add element inet bench allowed \{ \$IP \}$/m);
  assert.match(fwknopAccessConf(), /^CMD_CYCLE_CLOSE +NONE$/m);
});

test('packets: the valid one decodes, the flood ones do not', () => {
  const now = Math.floor(Date.now() / 1000);
  const ok = decodeSpa(validPacket('10.0.0.20', now), SPA_KEYS);
  assert.equal(ok.ok, true);
  const bad = decodeSpa(wrongHmacPacket('10.0.0.2', now), SPA_KEYS);
  assert.equal(bad.ok, false);
  for (let i = 0; i < 50; i++) {
    const r = randomB64();
    assert.ok(r.length >= 140 && r.length <= 400, `length ${r.length}`);
    assert.match(r, /^[A-Za-z0-9+/]+$/);
  }
  const pool = floodPool(6, '10.0.0.2', now);
  assert.equal(pool.length, 6);
  assert.equal(pool.filter((p) => decodeSpa(p, SPA_KEYS).ok).length, 0);
});

test('SPA counters: totals and differences', () => {
  const a = spaTotals({ packets: 10, opens: 1, refused: { 'bad-hmac': 5, 'not-base64': 4, replay: 0 } });
  const b = spaTotals({ packets: 110, opens: 3, refused: { 'bad-hmac': 55, 'not-base64': 52, replay: 0 } });
  assert.equal(a.refused, 9);
  assert.deepEqual(diffTotals(b, a), { packets: 100, opens: 2, refused: 98, byReason: { 'bad-hmac': 50, 'not-base64': 48 } });
  assert.deepEqual(spaTotals(undefined), { packets: 0, opens: 0, refused: 0, byReason: {} });
});

test('the generator result line', () => {
  assert.deepEqual(parseGenerator('{"sent":10,"ms":5.5,"errors":0}\n'), { sent: 10, ms: 5.5, errors: 0 });
  assert.throws(() => parseGenerator(''));
});

const knock = (src: string, latencyMs?: number): KnockResult => ({ src, knockedAt: 0, exitedAt: 0, opened: latencyMs !== undefined, ...(latencyMs === undefined ? {} : { latencyMs }) });

function flood(over: Partial<SpaFloodRun> = {}): SpaFloodRun {
  return { legit: [knock('a', 2), knock('b', 4)], generator: { sent: 600_000, ms: 10_000, errors: 0 }, arrived: 600_002, handled: 600_002, rejected: 600_000, byReason: { 'bad-hmac': 300_000, 'not-base64': 300_000 }, cpuSeconds: 8, busyMs: 10_000, ...over };
}

function report(p: SpaFloodRun, f: SpaFloodRun, pl: number[], fl: number[]): BenchReport {
  return {
    startedAt: new Date(0), seconds: 1, results: [],
    machine: {} as BenchReport['machine'], options: { spaFloodRate: 60_000, spaFloodSeconds: 10, spaFloodValid: 2, spaFloodCount: 1e6, spaPackets: 2, windowMs: 2000 } as BenchReport['options'],
    spa: [
      { kind: 'portcullis-spa', latency: pl.map((v, i) => knock(`p${i}`, v)), flood: p },
      { kind: 'fwknopd', latency: fl.map((v, i) => knock(`f${i}`, v)), flood: f },
    ],
  };
}

test('rates and targets', () => {
  const p = flood();
  assert.equal(rejectedPerSecond(p), 60_000);
  assert.equal(rejectedPerCpuSecond(p), 75_000);
  const fw = flood({ handled: 10_000, rejected: 10_000, cpuSeconds: 0.1, legit: [knock('c'), knock('d')] });
  const checks = spaTargets(report(p, fw, [5, 6, 7], [110, 120, 130]));
  assert.deepEqual(checks.map((c) => c.met), [true, true]);
  const slow = spaTargets(report(flood({ legit: [knock('a', 2), knock('b', 25)] }), fw, [20], [120]));
  assert.deepEqual(slow.map((c) => c.met), [false, false]);
  const rows = spaLatencyRows(report(p, fw, [5], [100])[`spa`] ?? []);
  assert.deepEqual(rows[0], ['', 'Portcullis (SPA, nftables)', 'fwknopd 2.6.10', 'Portcullis/fwknopd']);
  assert.deepEqual(rows[2], ['latency p50', '5.00 ms', '100 ms', '0.050×']);
  const frows = spaFloodRows(report(p, fw, [5], [100]).spa ?? []);
  assert.ok(frows.some((r) => r[0] === 'rejected/s (flood start → daemon idle again)' && r[1] === '60,000'));
});

test('the report title names the daemons that ran', async () => {
  const { benchTitle } = await import('./report.js');
  assert.equal(benchTitle(true, false), 'Portcullis and knockd');
  assert.equal(benchTitle(false, true), 'Portcullis and fwknopd');
  assert.equal(benchTitle(true, true), 'Portcullis, knockd and fwknopd');
});
