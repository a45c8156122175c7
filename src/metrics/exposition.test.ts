import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_TYPE, escapeHelp, escapeLabelValue, formatValue, render } from './exposition.js';
import { Histogram, MetricsError, Registry, sample } from './registry.js';

test('counters and gauges: HELP and TYPE lines, then one line per sample, labels in order', () => {
  const r = new Registry();
  let packets = 0;
  r.counter('portcullis_packets_seen_total', 'Packets seen', () => [sample(packets)]);
  r.gauge('portcullis_grants_active', 'Grants held', () => [sample(2, { kind: 'firewall' }), sample(0, { kind: 'command' })], ['kind']);
  packets = 41;
  packets++;
  assert.equal(render(r.collect()), [
    '# HELP portcullis_packets_seen_total Packets seen',
    '# TYPE portcullis_packets_seen_total counter',
    'portcullis_packets_seen_total 42',
    '# HELP portcullis_grants_active Grants held',
    '# TYPE portcullis_grants_active gauge',
    'portcullis_grants_active{kind="firewall"} 2',
    'portcullis_grants_active{kind="command"} 0',
    '',
  ].join('\n'));
  assert.equal(CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
});

test('label values escape backslash, double quote and newline; HELP escapes backslash and newline', () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.equal(escapeHelp('x\\y\n"z"'), 'x\\\\y\\n"z"');
  const r = new Registry();
  r.counter('m_total', 'two\nlines', () => [sample(1, { door: 'we"ird\\door' })], ['door']);
  assert.equal(render(r.collect()), '# HELP m_total two\\nlines\n# TYPE m_total counter\nm_total{door="we\\"ird\\\\door"} 1\n');
});

test('special values are spelled as Prometheus parses them', () => {
  assert.deepEqual([formatValue(Infinity), formatValue(-Infinity), formatValue(NaN), formatValue(0.25), formatValue(1e21), formatValue(-3)],
    ['+Inf', '-Inf', 'NaN', '0.25', '1e+21', '-3']);
});

test('histogram: cumulative _bucket lines with le (ending in +Inf), _sum and _count', () => {
  const r = new Registry();
  const h = r.histogram(new Histogram('lat_seconds', 'Latency', [0.001, 0.01, 0.1], ['kind']));
  h.declare({ kind: 'spa' });
  for (const v of [0.0005, 0.001, 0.002, 0.05, 3]) h.observe(v, { kind: 'knock' });
  assert.equal(render(r.collect()), [
    '# HELP lat_seconds Latency',
    '# TYPE lat_seconds histogram',
    'lat_seconds_bucket{kind="spa",le="0.001"} 0',
    'lat_seconds_bucket{kind="spa",le="0.01"} 0',
    'lat_seconds_bucket{kind="spa",le="0.1"} 0',
    'lat_seconds_bucket{kind="spa",le="+Inf"} 0',
    'lat_seconds_sum{kind="spa"} 0',
    'lat_seconds_count{kind="spa"} 0',
    'lat_seconds_bucket{kind="knock",le="0.001"} 2',
    'lat_seconds_bucket{kind="knock",le="0.01"} 3',
    'lat_seconds_bucket{kind="knock",le="0.1"} 4',
    'lat_seconds_bucket{kind="knock",le="+Inf"} 5',
    'lat_seconds_sum{kind="knock"} 3.0535',
    'lat_seconds_count{kind="knock"} 5',
    '',
  ].join('\n'));
});

test('histogram: a value equal to a bound falls in that bucket (le is inclusive); negative and NaN are ignored', () => {
  const h = new Histogram('h', 'h', [1, 2, 4]);
  for (const v of [1, 2, 4, 4.0001, 0, -1, NaN]) h.observe(v);
  const [s] = h.snapshot();
  assert.deepEqual(s!.cumulative, [2, 3, 4, 5]);
  assert.equal(s!.count, 5);
});

test('definitions are checked: names, label names, buckets, duplicates', () => {
  const r = new Registry();
  assert.throws(() => r.counter('bad-name', 'x', () => []), MetricsError);
  assert.throws(() => r.counter('ok_total', 'x', () => [], ['le']), MetricsError);
  assert.throws(() => r.counter('ok_total', 'x', () => [], ['__x']), MetricsError);
  assert.throws(() => new Histogram('h', 'h', [1, 1]), MetricsError);
  assert.throws(() => new Histogram('h', 'h', []), MetricsError);
  r.counter('dup_total', 'x', () => []);
  assert.throws(() => r.gauge('dup_total', 'x', () => []), /registered twice/);
});

test('a collector that throws leaves only its family out', () => {
  const r = new Registry();
  r.counter('a_total', 'a', () => { throw new Error('torn down'); });
  r.counter('b_total', 'b', () => [sample(1)]);
  assert.equal(render(r.collect()), '# HELP b_total b\n# TYPE b_total counter\nb_total 1\n');
});
