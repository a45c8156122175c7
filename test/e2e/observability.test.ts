// Observability on a real daemon: GET /metrics on metrics_listen from inside
// the server namespace shows the knocks, the failure, the open and an
// open-latency observation; security events reach a UDP and a TCP syslog
// collector (node listeners in the server namespace) as RFC 5424 messages;
// JSON log lines carry the vocabulary's event names.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, labConfig, labSkipReason, portcullisKnock, startPortcullis, waitFor, type Lab, type LabProcess } from './lab.js';
import { EVENTS, isEventName } from '../../src/log/events.js';

const skip = labSkipReason(['nft']);
const opts = { skip, timeout: 60_000 };
const METRICS = '127.0.0.1:9742';

/** Prints `UDP "<message>"` per datagram and `TCP "<message>"` per octet-counted frame (RFC 6587 §3.4.1). */
const COLLECTOR = `
import dgram from 'node:dgram';
import net from 'node:net';
const [udpPort, tcpPort] = process.argv.slice(2).map(Number);
const u = dgram.createSocket('udp4');
u.on('message', (m) => console.log('UDP ' + JSON.stringify(m.toString())));
u.bind(udpPort, '127.0.0.1');
net.createServer((s) => {
  let buf = Buffer.alloc(0);
  s.on('error', () => {});
  s.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const sp = buf.indexOf(32);
      if (sp < 0) break;
      const len = Number(buf.subarray(0, sp).toString());
      if (!(len > 0)) { console.log('BADFRAME ' + JSON.stringify(buf.toString())); buf = Buffer.alloc(0); break; }
      if (buf.length < sp + 1 + len) break;
      console.log('TCP ' + JSON.stringify(buf.subarray(sp + 1, sp + 1 + len).toString()));
      buf = buf.subarray(sp + 1 + len);
    }
  });
}).listen(tcpPort, '127.0.0.1', () => console.log('READY'));
`;

async function collector(lab: Lab, udpPort: number, tcpPort: number): Promise<LabProcess> {
  const file = join(lab.tmp, 'collector.mjs');
  writeFileSync(file, COLLECTOR);
  const proc = lab.spawn('server', [process.execPath, file, String(udpPort), String(tcpPort)], 'syslog collector');
  await proc.waitForLine(/^READY$/, 10_000);
  return proc;
}

/** GET http://ADDRESS/PATH from inside the server namespace: the status line's code and the body. */
async function httpGet(lab: Lab, path: string): Promise<{ status: number; body: string }> {
  const script = `fetch('http://${METRICS}${path}').then(async (r) => { process.stdout.write(r.status + '\\n' + await r.text()); }, (e) => { console.error(e.message); process.exit(1); });`;
  const r = await lab.mustExec('server', [process.execPath, '-e', script], { timeoutMs: 10_000 });
  const nl = r.stdout.indexOf('\n');
  return { status: Number(r.stdout.slice(0, nl)), body: r.stdout.slice(nl + 1) };
}

function config(remote: string, extra: string[] = []): string {
  return labConfig(['firewall = nftables', `metrics_listen = ${METRICS}`, `syslog_remote = ${remote}`, ...extra], [
    '[openSSH]',
    '    sequence     = 7000,8000',
    '    seq_timeout  = 5',
    '    tcpflags     = syn',
    '    open         = tcp/22',
    '    open_timeout = 30',
    '',
  ].join('\n'));
}

/** The messages the collector printed for `transport`. */
function received(c: LabProcess, transport: 'UDP' | 'TCP'): string[] {
  return c.lines.filter((l) => l.stream === 'stdout' && l.text.startsWith(`${transport} `)).map((l) => JSON.parse(l.text.slice(4)) as string);
}

async function setup(t: TestContext, id: string): Promise<Lab> {
  const lab = await createLab(id);
  t.after(() => lab.destroy());
  await lab.startTcpService('server', 22);
  return lab;
}

const knock = (lab: Lab, ...ports: string[]) => portcullisKnock(lab, 'client', ['-d', '50', lab.server.ip4, ...ports]);

test('metrics show the failure, the open and its latency; the UDP collector gets RFC 5424 security events; JSON lines carry events', opts, async (t) => {
  const lab = await setup(t, 'obudp');
  const sink = await collector(lab, 5514, 5515);
  const daemon = await startPortcullis(lab, { config: config('udp://127.0.0.1:5514'), args: ['--log-format', 'json'] });
  const client = lab.host('client').ip4;
  await daemon.waitForLine(/"event":"metrics.listen"/, 5000);

  await knock(lab, '7000', '9000'); // 9000: a decoy (nothing serves it), the attempt fails
  await daemon.waitForLine(/"event":"knock.fail"/, 5000);
  await knock(lab, '7000', '8000');
  await daemon.waitForLine(/"event":"grant.open"/, 5000);
  assert.equal(await lab.tcpConnects('client', lab.server.ip4, 22, 2000), true, daemon.output());

  const scrape = await httpGet(lab, '/metrics');
  assert.equal(scrape.status, 200);
  const lines = new Set(scrape.body.trim().split('\n'));
  for (const l of [
    'portcullis_knocks_total{door="openSSH",outcome="open"} 1',
    'portcullis_knocks_total{door="openSSH",outcome="decoy"} 1',
    'portcullis_knocks_total{door="openSSH",outcome="step"} 3',
    'portcullis_opens_total{door="openSSH",kind="knock"} 1',
    'portcullis_grants_active{kind="firewall"} 1',
    'portcullis_open_latency_seconds_count{kind="knock",via="firewall"} 1',
    'portcullis_open_latency_seconds_count{kind="knock",via="command"} 0',
    'portcullis_firewall_errors_total 0',
    'portcullis_syslog_remote_up 1',
    '# TYPE portcullis_open_latency_seconds histogram',
  ]) assert.ok(lines.has(l), `missing ${l}\n${scrape.body}`);
  const packets = Number(/^portcullis_packets_seen_total (\d+)$/m.exec(scrape.body)?.[1]);
  assert.ok(packets >= 4, scrape.body);
  const latency = Number(/^portcullis_open_latency_seconds_sum\{kind="knock",via="firewall"\} (\S+)$/m.exec(scrape.body)?.[1]);
  assert.ok(latency > 0 && latency < 1, `open latency ${latency} s`);
  t.diagnostic(`knock-to-open latency (nftables): ${(latency * 1000).toFixed(2)} ms`);
  assert.equal((await httpGet(lab, '/')).status, 404);

  // Security events only: the open and the grant, not the stages or the failure.
  await waitFor('knock.open and grant.open at the UDP collector', async () => received(sink, 'UDP').length >= 2, 5000);
  const udp = received(sink, 'UDP');
  const open = udp.find((m) => m.includes(' knock.open '));
  assert.match(open ?? '', new RegExp(`^<38>1 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\S+ portcullis \\d+ knock\\.open \\[portcullis@32473 src="${client}" door="openSSH"\\] ${client}: openSSH: OPEN SESAME$`), udp.join('\n'));
  assert.ok(udp.some((m) => /^<38>1 .* grant\.open \[portcullis@32473 ip="[^"]+" door="openSSH" seconds="30" ports="tcp\/22"\] /.test(m)), udp.join('\n'));
  assert.ok(!udp.some((m) => / knock\.(stage|fail) /.test(m)), udp.join('\n'));

  await daemon.stop();
  const records = daemon.lines.filter((l) => l.stream === 'stderr' && l.text.startsWith('{')).map((l) => JSON.parse(l.text) as Record<string, unknown>);
  const withEvent = records.filter((r) => r['event'] !== undefined);
  for (const r of withEvent) {
    assert.ok(isEventName(r['event']), `not in the vocabulary: ${JSON.stringify(r)}`);
    assert.equal(r['level'], EVENTS[r['event']].level, JSON.stringify(r));
  }
  const names = new Set(withEvent.map((r) => r['event']));
  for (const n of ['daemon.start', 'knock.stage', 'knock.fail', 'knock.open', 'grant.open', 'metrics.listen', 'daemon.stop']) assert.ok(names.has(n), `no ${n} line\n${daemon.output()}`);
  const openLine = withEvent.find((r) => r['event'] === 'knock.open');
  assert.deepEqual([openLine?.['src'], openLine?.['door'], openLine?.['msg']], [client, 'openSSH', `${client}: openSSH: OPEN SESAME`]);
});

test('TCP collector: octet-counted RFC 5424 frames, also when the collector comes up after the daemon (reconnect)', opts, async (t) => {
  const lab = await setup(t, 'obtcp');
  const daemon = await startPortcullis(lab, { config: config('tcp://127.0.0.1:5601', ['syslog_remote_facility = local3']) });
  await daemon.waitForLine(/syslog_remote tcp:\/\/127\.0\.0\.1:5601: connect ECONNREFUSED/, 10_000);
  const sink = await collector(lab, 5600, 5601);
  const client = lab.host('client').ip4;
  // The backoff starts at 1 s: the daemon is connected again within a few seconds.
  await daemon.waitForLine(/syslog_remote tcp:\/\/127\.0\.0\.1:5601: connected again/, 10_000);
  await knock(lab, '7000', '8000');
  await daemon.waitForLine(/openSSH: opened tcp\/22/, 5000);
  await waitFor('knock.open at the TCP collector', async () => received(sink, 'TCP').some((m) => m.includes(' knock.open ')), 5000);
  const tcp = received(sink, 'TCP');
  // local3 (19) × 8 + informational (6) = 158.
  assert.ok(tcp.some((m) => new RegExp(`^<158>1 \\S+ \\S+ portcullis \\d+ knock\\.open \\[portcullis@32473 src="${client}" door="openSSH"\\] ${client}: openSSH: OPEN SESAME$`).test(m)), tcp.join('\n'));
  assert.equal(sink.find(/^BADFRAME/), undefined, sink.output());
  const scrape = await httpGet(lab, '/metrics');
  assert.match(scrape.body, /^portcullis_syslog_remote_messages_total\{result="sent"\} [1-9]\d*$/m);
  assert.match(scrape.body, /^portcullis_syslog_remote_up 1$/m);
  await daemon.stop();
});
