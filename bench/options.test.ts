import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions, UsageError, type BenchOptions } from './options.js';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseOptions(argv, env, 'docs/benchmarks.md') as BenchOptions;

test('a full run writes the report with the default sizes', () => {
  const o = parse([]);
  assert.equal(o.quick, false);
  assert.equal(o.latencyKnocks, 40);
  assert.equal(o.floodSeconds, 20);
  assert.equal(o.profile, true);
  assert.equal(o.floodPps, 20_000);
  assert.deepEqual(o.daemons, ['portcullis', 'portcullis-nft', 'knockd']);
  assert.equal(o.out, 'docs/benchmarks.md');
  assert.equal(o.burstSources, 1000);
  assert.equal(o.burstWindowMs, 20_000);
});

test('the burst: size, window, off', () => {
  assert.equal(parse(['--burst', '200']).burstSources, 200);
  assert.equal(parse([], { BENCH_BURST: '300' }).burstSources, 300);
  assert.equal(parse(['--no-burst']).burstSources, 0);
  assert.equal(parse(['--burst', '0']).burstSources, 0);
  assert.equal(parse(['--quick']).burstWindowMs, 10_000);
  assert.equal(parse(['--burst-window', '5000']).burstWindowMs, 5000);
  assert.throws(() => parse(['--burst', '1001']), UsageError);
  assert.throws(() => parse(['--burst-window', '10']), UsageError);
});

test('a quick run is shorter and writes nothing unless asked', () => {
  const o = parse(['--quick']);
  assert.equal(o.latencyKnocks, 20);
  assert.equal(o.floodSeconds, 4);
  assert.equal(o.out, undefined);
  assert.equal(o.profile, false);
  assert.equal(parse(['--quick', '--out', 'x.md']).out, 'x.md');
  assert.equal(parse(['--quick', '--cpu-prof', '/tmp/p']).profile, true);
  assert.equal(parse(['--no-profile']).profile, false);
  assert.equal(parse([], { BENCH_QUICK: '1' }).quick, true);
});

test('flags win over the environment; --only filters daemons in a fixed order', () => {
  assert.equal(parse(['--knocks', '25'], { BENCH_KNOCKS: '30' }).latencyKnocks, 25);
  assert.equal(parse([], { BENCH_KNOCKS: '30' }).latencyKnocks, 30);
  assert.deepEqual(parse(['--only', 'knockd', '--only', 'portcullis']).daemons, ['portcullis', 'knockd']);
  assert.deepEqual(parse(['--only', 'knockd', '--only', 'portcullis-nft']).daemons, ['portcullis-nft', 'knockd']);
  assert.deepEqual(parse([], { BENCH_ONLY: 'knockd' }).daemons, ['knockd']);
  assert.equal(parse(['--interval', 'u40']).floodInterval, 'u40');
  assert.equal(parse(['--no-write']).out, undefined);
  assert.equal(parse(['--keep-logs', '/tmp/logs']).keepLogs, '/tmp/logs');
  assert.deepEqual(parse([], { BENCH_PORTCULLIS_ARGS: ' -v  --log-format json ' }).extraArgs, { portcullis: ['-v', '--log-format', 'json'], knockd: [] });
});

test('bad input is a usage error', () => {
  assert.throws(() => parse(['--knocks']), UsageError);
  assert.throws(() => parse(['--knocks', 'many']), UsageError);
  assert.throws(() => parse(['--only', 'fwknopd']), UsageError);
  assert.throws(() => parse(['--interval', 'fast']), UsageError);
  assert.throws(() => parse(['--frobnicate']), UsageError);
  assert.equal(parseOptions(['--help'], {}, 'x'), 'help');
});

test('the SPA section: on by default, off, alone', () => {
  const o = parse([]);
  assert.equal(o.spa, true);
  assert.equal(o.spaOnly, false);
  assert.equal(o.spaPackets, 40);
  assert.equal(o.spaFloodSeconds, 10);
  assert.equal(o.spaFloodRate, 60_000);
  assert.equal(o.spaFloodValid, 10);
  assert.equal(parse(['--quick']).spaPackets, 20);
  assert.equal(parse(['--no-spa']).spa, false);
  const only = parse(['--spa-only']);
  assert.equal(only.spaOnly, true);
  assert.equal(only.out, undefined);
  assert.equal(only.profile, false);
  assert.equal(only.burstSources, 0);
  assert.equal(parse(['--spa-only', '--out', 'x.md']).out, 'x.md');
  assert.equal(parse(['--spa-flood-rate', '0']).spaFloodRate, 0);
  assert.equal(parse([], { BENCH_SPA_PACKETS: '7' }).spaPackets, 7);
  assert.throws(() => parse(['--spa-only', '--no-spa']), UsageError);
});
