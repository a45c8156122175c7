import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ev } from './events.js';
import type { Fields, Level, LogEntry } from './logger.js';
import { RemoteSyslogSink } from './remote-syslog-sink.js';

const T = Date.UTC(2026, 11, 1, 10, 0, 0, 5);
const entry = (msg: string, fields?: Fields, level: Level = 'info'): LogEntry => (fields ? { time: T, level, msg, fields } : { time: T, level, msg });
const open = (n: number) => entry(`10.0.0.${n}: ssh: OPEN SESAME`, ev('knock.open', { src: `10.0.0.${n}`, door: 'ssh' }));
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await tick();
}

/** Splits an octet-counted TCP stream into messages; throws on bad framing. */
function deframe(data: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(0x20, at);
    const len = Number(data.subarray(at, sp).toString());
    assert.ok(sp > at && Number.isInteger(len) && len > 0, `bad frame at ${at}`);
    out.push(data.subarray(sp + 1, sp + 1 + len).toString());
    at = sp + 1 + len;
  }
  return out;
}

function tcpCollector(port = 0): Promise<{ server: Server; port: number; data: () => Buffer; sockets: Socket[] }> {
  const chunks: Buffer[] = [];
  const sockets: Socket[] = [];
  const server = createServer((s) => { sockets.push(s); s.on('data', (d) => chunks.push(d)); s.on('error', () => undefined); });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () =>
    resolve({ server, port: (server.address() as AddressInfo).port, data: () => Buffer.concat(chunks), sockets })));
}

test('UDP: one datagram per security event; other lines are not forwarded', async (t) => {
  const got: string[] = [];
  const collector = createSocket('udp4');
  collector.on('message', (m) => got.push(m.toString()));
  await new Promise<void>((r) => collector.bind(0, '127.0.0.1', () => r()));
  t.after(() => collector.close());
  const sink = new RemoteSyslogSink({ transport: 'udp', host: '127.0.0.1', family: 4, port: collector.address().port, facility: 4, report: () => undefined, hostname: 'gw', procId: 7 });
  sink.write(open(2));
  sink.write(entry('10.0.0.2: ssh: Stage 1', ev('knock.stage', { src: '10.0.0.2', door: 'ssh', stage: 1 })));
  sink.write(entry('no event at all'));
  sink.write(entry('x: y: cannot open tcp/22: boom', ev('firewall.error', { ip: 'x', door: 'y', error: 'boom' }), 'error'));
  await until(() => got.length >= 2);
  await tick(50);
  await sink.close();
  assert.deepEqual(got, [
    '<38>1 2026-12-01T10:00:00.005Z gw portcullis 7 knock.open [portcullis@32473 src="10.0.0.2" door="ssh"] 10.0.0.2: ssh: OPEN SESAME',
    '<35>1 2026-12-01T10:00:00.005Z gw portcullis 7 firewall.error [portcullis@32473 ip="x" door="y" error="boom"] x: y: cannot open tcp/22: boom',
  ]);
  assert.deepEqual(sink.stats(), { sent: 2, dropped: 0, connected: true });
});

test('TCP: octet-counted frames on one connection', async (t) => {
  const c = await tcpCollector();
  t.after(() => c.server.close());
  const sink = new RemoteSyslogSink({ transport: 'tcp', host: '127.0.0.1', family: 4, port: c.port, facility: 10, report: () => undefined, hostname: 'gw', procId: 7 });
  for (let i = 1; i <= 3; i++) sink.write(open(i));
  await until(() => deframe(c.data()).length >= 3);
  await sink.close();
  const messages = deframe(c.data());
  assert.equal(messages.length, 3);
  assert.equal(messages[2], '<86>1 2026-12-01T10:00:00.005Z gw portcullis 7 knock.open [portcullis@32473 src="10.0.0.3" door="ssh"] 10.0.0.3: ssh: OPEN SESAME');
  assert.equal(c.sockets.length, 1);
});

test('TCP: while the collector is down, a bounded queue fills and the rest is dropped; after it returns, the queue is sent', async (t) => {
  // Find a free port, then leave it closed.
  const probe = await tcpCollector();
  const port = probe.port;
  await new Promise((r) => probe.server.close(r));
  const reports: string[] = [];
  const sink = new RemoteSyslogSink({ transport: 'tcp', host: '127.0.0.1', family: 4, port, facility: 4, report: (m) => reports.push(m), maxQueue: 3, backoffMs: { min: 50, max: 200 } });
  t.after(() => sink.close());
  await until(() => reports.length > 0);
  for (let i = 1; i <= 5; i++) sink.write(open(i));
  assert.equal(sink.dropped, 2);
  assert.equal(reports.length, 1, 'one report per outage');
  assert.match(reports[0]!, /^syslog_remote tcp:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  const c = await tcpCollector(port);
  t.after(() => c.server.close());
  await until(() => deframe(c.data()).length >= 3);
  const srcs = deframe(c.data()).map((m) => /src="([^"]+)"/.exec(m)?.[1]);
  assert.deepEqual(srcs, ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  await until(() => reports.length >= 2);
  assert.match(reports[1]!, /connected again/);
  assert.equal(sink.stats().connected, true);
});

test('TCP: a collector that goes away is reconnected to', async (t) => {
  const c = await tcpCollector();
  t.after(() => c.server.close());
  const sink = new RemoteSyslogSink({ transport: 'tcp', host: '127.0.0.1', family: 4, port: c.port, facility: 4, report: () => undefined, backoffMs: { min: 20, max: 100 } });
  t.after(() => sink.close());
  sink.write(open(1));
  await until(() => deframe(c.data()).length >= 1);
  for (const s of c.sockets) s.destroy();
  await until(() => !sink.stats().connected);
  await until(() => sink.stats().connected);
  sink.write(open(2));
  await until(() => deframe(c.data()).length >= 2);
  assert.equal(deframe(c.data()).length, 2);
  assert.equal(c.sockets.length, 2);
});

test('write never throws and nothing is sent after close', async () => {
  const sink = new RemoteSyslogSink({ transport: 'udp', host: '127.0.0.1', family: 4, port: 9, facility: 4, report: () => undefined });
  await sink.close();
  sink.write(open(1));
  assert.equal(sink.sent, 0);
});

test('createLogger: syslog_remote gets the security events at every level, independent of the other destinations', async (t) => {
  const { createLogger } = await import('./create-logger.js');
  const got: string[] = [];
  const collector = createSocket('udp4');
  collector.on('message', (m) => got.push(m.toString()));
  await new Promise<void>((r) => collector.bind(0, '127.0.0.1', () => r()));
  t.after(() => collector.close());
  const log = createLogger({
    stderr: false, syslog: false, format: 'text', verbose: false, debug: false,
    remoteSyslog: { transport: 'udp', host: '127.0.0.1', family: 4, port: collector.address().port, facility: 10 },
  });
  log.info('10.0.0.9: ssh: OPEN SESAME', ev('knock.open', { src: '10.0.0.9', door: 'ssh' }));
  log.debug('10.0.0.9: ssh: Stage 1', ev('knock.stage', { src: '10.0.0.9', door: 'ssh', stage: 1 }));
  log.error('cannot start: boom', ev('daemon.error', { error: 'boom' }));
  await until(() => got.length >= 2);
  assert.deepEqual(log.remoteSyslogStats(), { sent: 2, dropped: 0, connected: true });
  await log.close();
  assert.deepEqual(got.map((m) => m.split(' ').slice(0, 1).concat(m.split(' ').slice(5, 6))), [['<86>1', 'knock.open'], ['<83>1', 'daemon.error']]);
});

test('createLogger: with --log-format json, an unreachable collector is reported on stderr as a JSON line', async () => {
  const { createLogger } = await import('./create-logger.js');
  const { Writable } = await import('node:stream');
  const probe = await tcpCollector();
  const port = probe.port;
  await new Promise((r) => probe.server.close(r));
  let text = '';
  const err = new Writable({ write(chunk: Buffer, _e, done) { text += chunk.toString(); done(); } });
  const log = createLogger({
    stderr: true, stderrStream: err, syslog: false, format: 'json', verbose: false, debug: false,
    remoteSyslog: { transport: 'tcp', host: '127.0.0.1', family: 4, port, facility: 4 },
  });
  await until(() => text.includes('\n'));
  await log.close();
  const record = JSON.parse(text.split('\n')[0]!) as Record<string, unknown>;
  assert.equal(record['level'], 'warn');
  assert.match(String(record['msg']), /^syslog_remote tcp:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
});
