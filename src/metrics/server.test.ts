import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { Registry, sample } from './registry.js';
import { MetricsListenError, MetricsServer } from './server.js';

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function registry(): Registry {
  const r = new Registry();
  let n = 0;
  r.counter('portcullis_packets_seen_total', 'Packets seen', () => [sample(++n)]);
  return r;
}

test('GET /metrics answers the text format, read at each scrape', async (t) => {
  const server = await MetricsServer.listen('127.0.0.1', 0, registry());
  t.after(() => server.close());
  const first = await get(server.port, '/metrics');
  assert.equal(first.status, 200);
  assert.equal(first.type, 'text/plain; version=0.0.4; charset=utf-8');
  assert.match(first.body, /^portcullis_packets_seen_total 1$/m);
  const second = await get(server.port, '/metrics?x=1');
  assert.match(second.body, /^portcullis_packets_seen_total 2$/m);
});

test('other paths are 404, other methods 405, HEAD has no body', async (t) => {
  const server = await MetricsServer.listen('127.0.0.1', 0, registry());
  t.after(() => server.close());
  assert.equal((await get(server.port, '/')).status, 404);
  assert.equal((await get(server.port, '/metrics/x')).status, 404);
  assert.equal((await get(server.port, '/metrics', 'POST')).status, 405);
  const head = await get(server.port, '/metrics', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
});

test('a port in use is a MetricsListenError naming the address', async (t) => {
  const server = await MetricsServer.listen('127.0.0.1', 0, registry());
  t.after(() => server.close());
  await assert.rejects(MetricsServer.listen('127.0.0.1', server.port, registry()),
    (err: Error) => err instanceof MetricsListenError && err.message === `cannot listen on 127.0.0.1:${server.port} for metrics: EADDRINUSE`);
});

test('a client that sends nothing is disconnected after the timeout; a garbage request gets 400', async (t) => {
  const server = await MetricsServer.listen('127.0.0.1', 0, registry(), { timeoutMs: 300 });
  t.after(() => server.close());
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1');
    s.on('error', reject);
    s.on('close', () => resolve());
  });
  assert.ok(Date.now() - started < 5000);
  const reply = await new Promise<string>((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1', () => s.write('NOT HTTP\r\n\r\n'));
    let text = '';
    s.on('data', (d) => { text += d.toString(); });
    s.on('error', reject);
    s.on('close', () => resolve(text));
  });
  assert.match(reply, /^HTTP\/1\.1 400 /);
});

test('connections beyond maxConnections are refused, the scrape after them works', async (t) => {
  const server = await MetricsServer.listen('127.0.0.1', 0, registry(), { maxConnections: 2, timeoutMs: 2000 });
  t.after(() => server.close());
  const idle = await Promise.all([0, 1].map(() => new Promise<ReturnType<typeof connect>>((resolve) => { const s = connect(server.port, '127.0.0.1', () => resolve(s)); })));
  await new Promise((r) => setTimeout(r, 50));
  const third = await new Promise<string>((resolve) => {
    const s = connect(server.port, '127.0.0.1', () => s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'));
    let text = '';
    s.on('data', (d) => { text += d.toString(); });
    s.on('error', () => resolve(text));
    s.on('close', () => resolve(text));
  });
  assert.equal(third, '', 'the extra connection is closed unanswered');
  for (const s of idle) s.destroy();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await get(server.port, '/metrics')).status, 200);
});

test('loopback addresses are told apart from the rest (a non-loopback metrics_listen is warned about)', async () => {
  const { isLoopback } = await import('./serve-metrics.js');
  assert.deepEqual(['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1'].map(isLoopback), [true, true, true, true]);
  assert.deepEqual(['0.0.0.0', '10.0.0.1', '::', '2001:db8::1', '128.0.0.1'].map(isLoopback), [false, false, false, false, false]);
});

test('a reload that changes metrics_listen or syslog_remote says a restart is needed', async () => {
  const { observabilityNeedsRestart } = await import('./serve-metrics.js');
  const { options } = await import('../door/testing.js');
  const a = options({ metricsListen: { host: '127.0.0.1', family: 4, port: 9742 } });
  assert.deepEqual(observabilityNeedsRestart(a, options({ metricsListen: { host: '127.0.0.1', family: 4, port: 9742 } })), []);
  assert.deepEqual(observabilityNeedsRestart(a, options()).map((m) => m.split(' ')[0]), ['metrics_listen']);
  assert.deepEqual(observabilityNeedsRestart(a, { ...a, syslogRemoteFacility: 10 }).map((m) => m.split(' ')[0]), ['syslog_remote']);
});
