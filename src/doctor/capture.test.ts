// The capture check: CAP_NET_RAW from /proc/self/status, the short capture
// (against the in-memory source), and what each outcome means.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCaptureSource } from '../capture/memory.js';
import { CaptureError } from '../capture/source.js';
import type { Packet } from '../packet/packet.js';
import { captureFinding, hasNetRaw, probeCapture } from './capture.js';

describe('hasNetRaw', () => {
  it('reads bit 13 of CapEff', () => {
    assert.equal(hasNetRaw('Name:\tnode\nCapEff:\t000001ffffffffff\n'), true);
    assert.equal(hasNetRaw('CapEff:\t0000000000000000\n'), false);
    assert.equal(hasNetRaw('CapEff:\t0000000000002000\n'), true);
  });
});

describe('probeCapture', () => {
  it('resolves at the first packet and closes the capture', async () => {
    const src = new MemoryCaptureSource();
    const pending = probeCapture('eth0', 2000, src);
    src.inject('eth0', {} as Packet);
    const r = await pending;
    assert.equal(r.kind, 'packet');
    assert.equal(src.handles[0]!.closed, true);
  });

  it('silent when nothing arrives in time', async () => {
    const src = new MemoryCaptureSource();
    assert.deepEqual(await probeCapture('eth0', 50, src), { kind: 'silent', ms: 50 });
    assert.equal(src.handles[0]!.closed, true);
  });

  it('an open failure carries its code', async () => {
    const src = { open: () => { throw new CaptureError('CAPTURE_UNAVAILABLE', 'packet capture is unavailable: install libpcap'); } };
    assert.deepEqual(await probeCapture('eth0', 50, src), { kind: 'error', code: 'CAPTURE_UNAVAILABLE', message: 'packet capture is unavailable: install libpcap' });
  });
});

describe('captureFinding', () => {
  it('packet ok, silence warn, no permission fail with the fix', () => {
    assert.equal(captureFinding('eth0', { kind: 'packet', ms: 12 }).status, 'ok');
    const s = captureFinding('eth0', { kind: 'silent', ms: 3000 });
    assert.deepEqual([s.status, s.message], ['warn', 'capture works, but no packet in 3 s']);
    const d = captureFinding('eth0', { kind: 'denied' });
    assert.deepEqual([d.code, d.status], ['CAPTURE_PERMISSION', 'fail']);
    assert.match(d.fix!, /as root|CAP_NET_RAW/);
    assert.equal(captureFinding('eth0', { kind: 'error', code: 'CAPTURE_OPEN_FAILED', message: 'cannot capture on eth0: socket: Operation not permitted' }).code, 'CAPTURE_PERMISSION');
  });
});
