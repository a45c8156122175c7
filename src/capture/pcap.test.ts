import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { PcapCaptureSource } from './pcap.js';
import { CaptureError, type CaptureHandle } from './source.js';
import type { Packet } from '../packet/packet.js';

function liveSkip(): string | false {
  const ci = process.env['CI'] === 'true';
  try {
    createRequire(import.meta.url)('cap');
  } catch (e) {
    if (ci) throw e;
    return `the cap binding is not built (${(e as Error).message}); skipping live capture tests`;
  }
  if (process.getuid?.() !== 0) {
    if (ci) throw new Error('live capture tests need root in CI');
    return 'live capture needs root; skipping';
  }
  return false;
}
const skip = liveSkip();

function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 40_000);
}

async function send(host: string, port: number, text: string): Promise<void> {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => s.send(text, port, host, (e) => (e ? reject(e) : resolve())));
  s.close();
}

/** Collects packets; `next` waits for one matching `pred`, `quiet` checks none comes. */
class Inbox {
  readonly packets: Packet[] = [];
  readonly errors: Error[] = [];
  private waiters: (() => void)[] = [];
  onPacket = (p: Packet): void => { this.packets.push(p); this.waiters.splice(0).forEach((w) => w()); };
  onError = (e: Error): void => { this.errors.push(e); };

  async next(pred: (p: Packet) => boolean, ms = 3000): Promise<Packet> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.packets.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a packet');
      await new Promise<void>((resolve) => { const t = setTimeout(resolve, left); this.waiters.push(() => { clearTimeout(t); resolve(); }); });
    }
  }

  async quiet(pred: (p: Packet) => boolean, ms = 300): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    assert.equal(this.packets.filter(pred).length, 0);
  }
}

test('without the binding, open fails with CAPTURE_UNAVAILABLE and says how to fix it', () => {
  const source = new PcapCaptureSource({ load: () => { throw new Error("Cannot find module 'cap'"); } });
  assert.throws(() => source.open('lo', 'udp', () => {}, () => {}), (e: unknown) => {
    assert.ok(e instanceof CaptureError);
    assert.equal(e.code, 'CAPTURE_UNAVAILABLE');
    assert.match(e.message, /libpcap-dev/);
    assert.match(e.message, /npm rebuild cap/);
    return true;
  });
});

test('a missing interface fails with CAPTURE_OPEN_FAILED naming it', { skip }, () => {
  assert.throws(() => new PcapCaptureSource().open('nosuch-pc0', 'udp', () => {}, () => {}), (e: unknown) => {
    assert.ok(e instanceof CaptureError);
    assert.equal(e.code, 'CAPTURE_OPEN_FAILED');
    assert.equal(e.iface, 'nosuch-pc0');
    assert.match(e.message, /nosuch-pc0/);
    return true;
  });
});

test('a filter libpcap refuses fails with CAPTURE_FILTER_FAILED', { skip }, () => {
  const source = new PcapCaptureSource({ kernelBufferBytes: 1 << 20 });
  assert.throws(() => source.open('lo', 'udp dst port (', () => {}, () => {}), { code: 'CAPTURE_FILTER_FAILED' });
  assert.throws(() => source.open('lo', 'ip6 and tcp[13] == 2', () => {}, () => {}), { code: 'CAPTURE_FILTER_FAILED' });
});

test('captures on lo: decoding, payload copies, setFilter, close', { skip }, async () => {
  const source = new PcapCaptureSource();
  const inbox = new Inbox();
  const p1 = randomPort();
  const p2 = p1 + 1;
  let handle: CaptureHandle | undefined;
  try {
    handle = source.open('lo', `udp dst port ${p1}`, inbox.onPacket, inbox.onError);
    assert.equal(handle.link, 'ethernet');
    assert.equal(handle.iface, 'lo');

    await send('127.0.0.1', p1, 'first knock');
    await send('127.0.0.1', p1, 'second one');
    await send('::1', p1, 'over v6');
    const a = await inbox.next((p) => p.family === 4 && p.dstPort === p1 && Buffer.from(p.payload).toString() === 'first knock');
    assert.deepEqual({ ...a, payload: undefined, srcPort: 0 }, { family: 4, src: '127.0.0.1', dst: '127.0.0.1', proto: 'udp', srcPort: 0, dstPort: p1, tcpFlags: 0, payload: undefined });
    assert.ok(a.srcPort > 0);
    await inbox.next((p) => Buffer.from(p.payload).toString() === 'second one');
    // The first payload survived the second frame in the shared buffer.
    assert.equal(Buffer.from(a.payload).toString(), 'first knock');
    const v6 = await inbox.next((p) => p.family === 6);
    assert.deepEqual([v6.src, v6.dst, v6.dstPort, Buffer.from(v6.payload).toString()], ['::1', '::1', p1, 'over v6']);

    handle.setFilter(`udp dst port ${p2}`);
    await send('127.0.0.1', p1, 'old port');
    await send('127.0.0.1', p2, 'new port');
    await inbox.next((p) => p.dstPort === p2);
    await inbox.quiet((p) => Buffer.from(p.payload).toString() === 'old port');

    // A refused filter keeps the current one.
    assert.throws(() => handle!.setFilter('nonsense ('), { code: 'CAPTURE_FILTER_FAILED' });
    await send('127.0.0.1', p2, 'still here');
    await inbox.next((p) => Buffer.from(p.payload).toString() === 'still here');

    handle.close();
    await send('127.0.0.1', p2, 'after close');
    await inbox.quiet((p) => Buffer.from(p.payload).toString() === 'after close');
    assert.throws(() => handle!.setFilter('udp'), { code: 'CAPTURE_CLOSED' });
    assert.deepEqual(inbox.errors, []);
  } finally {
    handle?.close();
  }
});

test('an exception in onPacket goes to onError and capture continues', { skip }, async () => {
  const inbox = new Inbox();
  const port = randomPort();
  let calls = 0;
  const handle = new PcapCaptureSource().open('lo', `udp dst port ${port}`, (p) => {
    if (++calls === 1) throw new Error('boom');
    inbox.onPacket(p);
  }, inbox.onError);
  try {
    await send('127.0.0.1', port, 'one');
    await send('127.0.0.1', port, 'two');
    await inbox.next((p) => Buffer.from(p.payload).toString() === 'two');
    assert.equal(inbox.errors.length, 1);
    assert.equal(inbox.errors[0]!.message, 'boom');
  } finally {
    handle.close();
  }
});

test('failed opens and replaced captures survive garbage collection (cap 0.2.1 destructor bug)', { skip }, () => {
  const script = `
    const { PcapCaptureSource } = await import(${JSON.stringify(new URL('./pcap.js', import.meta.url).href)});
    const source = new PcapCaptureSource({ kernelBufferBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) {
      try { source.open('nosuch-pc0', 'udp', () => {}, () => {}); } catch {}
      try { source.open('lo', 'udp dst port (', () => {}, () => {}); } catch {}
      const h = source.open('lo', 'udp dst port 9', () => {}, () => {});
      h.setFilter('udp dst port 10');
      h.close();
      globalThis.gc();
    }
    await new Promise((r) => setTimeout(r, 50));
    globalThis.gc();
    console.log('survived');`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /survived/);
});
