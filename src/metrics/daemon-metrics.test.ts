import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry } from '../firewall/backend.js';
import { MemoryBackend } from '../firewall/memory.js';
import { FirewallGrants } from '../grants/firewall-grants.js';
import { door } from '../door/testing.js';
import { silentLogger } from '../log/logger.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { ManualClock } from '../util/clock.js';
import { newOpenLatency } from './daemon-metrics.js';
import { render } from './exposition.js';
import { observedDaemon, runScenario } from './testing.js';

const lines = (text: string) => new Set(text.trim().split('\n'));

test('after a scenario, the scrape shows what happened, per door and reason, read from the daemon\'s own counters', async () => {
  const s = observedDaemon();
  await runScenario(s);
  const out = lines(render(s.metrics.registry.collect()));
  for (const expected of [
    'portcullis_packets_seen_total 19',
    'portcullis_knocks_total{door="ssh",outcome="open"} 2',
    'portcullis_knocks_total{door="ssh",outcome="wrong-knock"} 1',
    'portcullis_knocks_total{door="ssh",outcome="decoy"} 4',
    'portcullis_knocks_total{door="ssh",outcome="timeout"} 1',
    'portcullis_knocks_total{door="cmd",outcome="open"} 1',
    'portcullis_opens_total{door="ssh",kind="knock"} 2',
    'portcullis_opens_total{door="spa",kind="spa"} 1',
    'portcullis_spa_packets_total{outcome="accepted",reason="none"} 1',
    'portcullis_spa_packets_total{outcome="rejected",reason="stale"} 1',
    'portcullis_spa_packets_total{outcome="rejected",reason="bad-hmac"} 0',
    'portcullis_bans_total 1',
    'portcullis_bans_active 1',
    'portcullis_grants_active{kind="firewall"} 1',
    'portcullis_open_latency_seconds_count{kind="knock",via="firewall"} 1',
    'portcullis_open_latency_seconds_count{kind="knock",via="command"} 1',
    'portcullis_open_latency_seconds_count{kind="spa",via="firewall"} 1',
    'portcullis_open_latency_seconds_count{kind="spa",via="command"} 0',
    'portcullis_firewall_errors_total 0',
    'portcullis_doors 3',
    '# TYPE portcullis_open_latency_seconds histogram',
  ]) assert.ok(out.has(expected), `missing ${expected}`);
  // SPA doors have no knock series; no address appears anywhere.
  assert.ok(![...out].some((l) => l.includes('door="spa",outcome=')));
  assert.ok(![...out].some((l) => l.includes('192.0.2.10') || l.includes('198.51.100.66')));
});

test('a scrape costs nothing on the packet path: the same counters, read twice, give the same text', async () => {
  const s = observedDaemon();
  await runScenario(s);
  assert.equal(render(s.metrics.registry.collect()), render(s.metrics.registry.collect()));
});

test('open latency: from the grant being asked for to the firewall change committed (state file included)', async () => {
  const clock = new ManualClock();
  class SlowBackend extends MemoryBackend {
    override async open(entries: readonly Entry[], now: number): Promise<void> {
      clock.advance(3); // the firewall takes 3 ms
      return super.open(entries, now);
    }
  }
  const latency = newOpenLatency();
  const grants = new FirewallGrants({
    backend: new SlowBackend(), clock, store: new MemoryFileStore(), statePath: '/fw.json', log: silentLogger,
    onOpened: (kind, s) => latency.observe(s, { kind, via: 'firewall' }),
  });
  await grants.restore([]);
  const d = door('ssh', '7000', { open: [{ proto: 'tcp', port: 22 }] });
  grants.open(d, '192.0.2.1', 4);
  await grants.idle();
  grants.open(d, '192.0.2.1', 4); // an extension is not an open
  grants.grant(d, '192.0.2.2', 4, [{ proto: 'tcp', port: 22 }], 10_000);
  await grants.idle();
  const series = (kind: string) => latency.snapshot().find((x) => x.labels['kind'] === kind && x.labels['via'] === 'firewall');
  const [knock, spa] = [series('knock'), series('spa')];
  assert.deepEqual([knock!.labels, knock!.count, knock!.sum], [{ kind: 'knock', via: 'firewall' }, 1, 0.003]);
  assert.deepEqual(knock!.cumulative.slice(0, 3), [0, 0, 1], '3 ms is above 2.5 ms, within 5 ms');
  assert.deepEqual([spa!.labels, spa!.count, spa!.sum], [{ kind: 'spa', via: 'firewall' }, 1, 0.003]);
});

test('serveMetrics: serves the daemon\'s registry; a port in use is one error line, not a failed start; unset is no listener', async () => {
  const { serveMetrics } = await import('./serve-metrics.js');
  const { MetricsServer } = await import('./server.js');
  const s = observedDaemon();
  await runScenario(s);
  const base = {
    daemon: s.daemon, commands: { active: () => [] }, firewall: () => s.actions.firewall, openLatency: newOpenLatency(),
    startedAtMs: 0, version: 'test', log: s.log,
  };
  const first = await serveMetrics({ ...base, listen: { host: '127.0.0.1', family: 4, port: 0 } });
  assert.ok(first instanceof MetricsServer);
  const port = first.port;
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(body, /^portcullis_opens_total\{door="ssh",kind="knock"\} 2$/m);
  const second = await serveMetrics({ ...base, listen: { host: '127.0.0.1', family: 4, port } });
  const error = s.log.entries.find((e) => e.fields?.['event'] === 'metrics.error');
  assert.equal(error?.msg, `cannot listen on 127.0.0.1:${port} for metrics: EADDRINUSE; the doors are guarded as usual`);
  assert.equal(s.log.entries.some((e) => e.fields?.['event'] === 'metrics.exposed'), false, 'loopback: no warning');
  await second.close();
  await first.close();
  const none = await serveMetrics({ ...base, listen: undefined });
  await none.close();
});
