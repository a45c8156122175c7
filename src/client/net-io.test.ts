// Real sockets on loopback only. Wire-level checks capture with tcpdump; where
// it (or root, or ping) is missing they are skipped, except in CI, where a
// missing tool must fail the run rather than hide it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import type { Step } from '../config/model.js';
import { run } from '../cli/knock.js';
import { knock } from './knock.js';
import { captureLoopback, captureUnavailable, type Seen } from './loopback-capture.js';
import { netIO } from './net-io.js';
import { systemServices } from './services.js';

const inCI = process.env['CI'] === 'true';
const noCapture = captureUnavailable();
const noPing = spawnSync('ping', ['-V'], { stdio: 'ignore' }).error ? 'ping is not installed' : undefined;
const skipCapture = !inCI && noCapture ? noCapture : false;
const skipPing = !inCI && (noCapture ?? noPing) ? (noCapture ?? noPing)! : false;
const hasIPv6 = await canBind('::1');

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const OPTS = { delayMs: 0, family: 0 } as const;
const SYN = 0x02;
const ACK = 0x10;

async function canBind(address: string): Promise<boolean> {
  const server = net.createServer();
  try {
    server.listen(0, address);
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}

/** A port with nothing listening on it (just freed). */
async function closedPort(address: string): Promise<number> {
  const server = net.createServer().listen(0, address);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function udpReceiver(type: 'udp4' | 'udp6', address: string): Promise<{ port: number; got: Buffer[]; close: () => void }> {
  const socket = dgram.createSocket(type);
  const got: Buffer[] = [];
  socket.on('message', (msg) => got.push(msg));
  socket.bind(0, address);
  await once(socket, 'listening');
  return { port: socket.address().port, got, close: () => socket.close() };
}

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

for (const [type, address] of [['udp4', '127.0.0.1'], ['udp6', '::1']] as const) {
  test(`UDP knocks to ${address} arrive in order with their payloads`, { skip: type === 'udp6' && !hasIPv6 && 'no ::1' }, async () => {
    const rx = await udpReceiver(type, address);
    try {
      const steps: Step[] = [
        { proto: 'udp', port: rx.port, payload: bytes('one') },
        { proto: 'udp', port: rx.port },
        { proto: 'udp', port: rx.port, payload: Uint8Array.of(0, 0xff) },
      ];
      const r = await knock(address, steps, OPTS, netIO);
      assert.equal(r.exitCode, 0);
      await until(() => rx.got.length >= 3);
      assert.deepEqual(rx.got.map((b) => b.toString('hex')), ['6f6e65', '00', '00ff']);
    } finally {
      rx.close();
    }
  });
}

/** SYNs (no ACK) to each port, from frames captured on lo. */
function synsTo(seen: readonly Seen[], ports: readonly number[]): number[] {
  return ports.map((p) => seen.filter((s) => s.proto === 'tcp' && s.dstPort === p && (s.flags & (SYN | ACK)) === SYN).length);
}

for (const address of ['127.0.0.1', '::1']) {
  test(`TCP knocks to ${address}: exactly one SYN per step, open or closed port, no waiting`, { skip: skipCapture || (address === '::1' && !hasIPv6 && 'no ::1') }, async () => {
    const closed = await closedPort(address);
    const server = net.createServer((s) => s.destroy()).listen(0, address);
    await once(server, 'listening');
    const open = (server.address() as net.AddressInfo).port;
    try {
      let elapsed = 0;
      const seen = await captureLoopback(`tcp and (port ${closed} or port ${open})`, async () => {
        const start = Date.now();
        const r = await knock(address, [{ proto: 'tcp', port: closed }, { proto: 'tcp', port: open }, { proto: 'tcp', port: closed }], OPTS, netIO);
        elapsed = Date.now() - start;
        assert.equal(r.exitCode, 0);
      });
      assert.deepEqual(synsTo(seen, [closed, open]), [2, 1]);
      assert.ok(elapsed < 500, `the knock took ${elapsed} ms`);
    } finally {
      server.close();
    }
  });
}

// Other tests may ping on lo at the same time, so each test looks only for
// echo requests carrying its own payload.
const unique = (n: number): string => `${process.pid}-${Date.now()}`.padEnd(n, 'x').slice(-n);

test('ICMP: `portcullis knock 127.0.0.1 icmp:payload=TEXT` sends one echo request whose data is TEXT', { skip: skipPing }, async () => {
  const text = `abc${unique(9)}`;
  const out: string[] = [];
  const err: string[] = [];
  let code = -1;
  const seen = await captureLoopback('icmp', async () => {
    code = await run(['-v', '127.0.0.1', `icmp:payload=${text}`], { io: netIO, services: systemServices(), out: (l) => out.push(l), err: (l) => err.push(l) });
  });
  assert.equal(code, 0, err.join('\n'));
  assert.deepEqual(out, [`hitting icmp 127.0.0.1 with payload "${text}"`]);
  // iputils sends a payload under 16 bytes as the whole echo data.
  assert.equal(seen.filter((s) => s.icmpType === 8 && s.data.toString() === text).length, 1);
});

test('ICMP: a 16-byte payload survives ping\'s timestamp, over IPv4 and IPv6', { skip: skipPing || (!hasIPv6 && 'no ::1') }, async () => {
  const payload = Buffer.from(unique(16));
  const seen = await captureLoopback('icmp or icmp6', async () => {
    for (const address of ['127.0.0.1', '::1']) {
      const r = await knock(address, [{ proto: 'icmp', port: 0, payload }, { proto: 'icmp', port: 0 }], OPTS, netIO);
      assert.equal(r.exitCode, 0, r.error?.message);
    }
  });
  const carrying = seen.filter((s) => (s.icmpType === 8 || s.icmpType === 128) && s.data.includes(payload));
  assert.deepEqual(carrying.map((s) => s.family), [4, 6]);
});

test('resolve: literals and localhost, honouring the family', async () => {
  assert.deepEqual(await netIO.resolve('127.0.0.1', 0), { address: '127.0.0.1', family: 4 });
  assert.deepEqual(await netIO.resolve('::1', 0), { address: '::1', family: 6 });
  assert.deepEqual(await netIO.resolve('localhost', 4), { address: '127.0.0.1', family: 4 });
});

test('connect: true for a listening port, false for a closed one after the timeout', async () => {
  const server = net.createServer((s) => s.destroy()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const to = { address: '127.0.0.1', family: 4 } as const;
  try {
    assert.equal(await netIO.connect(to, (server.address() as net.AddressInfo).port, 1_000), true);
    const start = Date.now();
    assert.equal(await netIO.connect(to, await closedPort('127.0.0.1'), 300), false);
    const took = Date.now() - start;
    assert.ok(took >= 280 && took < 1_000, `took ${took} ms`);
  } finally {
    server.close();
  }
});

test('connect: a port that opens a moment after the knock still verifies', async () => {
  const port = await closedPort('127.0.0.1');
  const server = net.createServer((s) => s.destroy());
  const timer = setTimeout(() => server.listen(port, '127.0.0.1'), 250);
  try {
    assert.equal(await netIO.connect({ address: '127.0.0.1', family: 4 }, port, 2_000), true);
  } finally {
    clearTimeout(timer);
    server.close();
  }
});

test('--verify end to end: exit 3 when the port stays closed, after knocking twice', async () => {
  const rx = await udpReceiver('udp4', '127.0.0.1');
  const port = await closedPort('127.0.0.1');
  const err: string[] = [];
  try {
    const code = await run(['127.0.0.1', `${rx.port}:udp`, '--verify', String(port), '--verify-timeout', '200'],
      { io: netIO, services: systemServices(), out: () => {}, err: (l) => err.push(l) });
    assert.equal(code, 3);
    await until(() => rx.got.length >= 2);
    assert.equal(rx.got.length, 2);
    assert.match(err.join('\n'), new RegExp(`127\\.0\\.0\\.1:${port} did not accept a TCP connection within 200 ms`));
  } finally {
    rx.close();
  }
});
