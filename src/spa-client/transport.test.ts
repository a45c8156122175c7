import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTransmit, httpRequest, payloadFor, sendPacket, urlSafe } from './transport.js';
import { RecordingTransport } from './recording-transport.js';

// Captured from Debian's fwknop 2.6.10 (`-P http -D 127.0.0.1`) by a TCP
// listener on 127.0.0.1:62201: the packet it printed and the bytes it sent.
const FWKNOP_PACKET =
  '9hnqdvxpB65GkFF553bEPStBQSs2PnO1G/92nAnSAmut30+CxBE4scD2Ryay4gR/k4i0oYGIE1WuPOb4u3ibtV1x43ZrvRTmQOApq89eDLLXK/vKhlzrCFPpw+L9/VNsB9zIXW66zmCV0AzWrdEnMi+ynfbmxHM3UB+h6Hpzf3xpo+YohgjPYwo+HLXaXVGXf6eA7YdmqioY';
const FWKNOP_REQUEST =
  'GET /9hnqdvxpB65GkFF553bEPStBQSs2PnO1G_92nAnSAmut30-CxBE4scD2Ryay4gR_k4i0oYGIE1WuPOb4u3ibtV1x43ZrvRTmQOApq89eDLLXK_vKhlzrCFPpw-L9_VNsB9zIXW66zmCV0AzWrdEnMi-ynfbmxHM3UB-h6Hpzf3xpo-YohgjPYwo-HLXaXVGXf6eA7YdmqioY HTTP/1.0\r\nUser-Agent: Fwknop/2.6.10\r\nAccept: */*\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';

test('the HTTP request is byte for byte what fwknop 2.6.10 sends', () => {
  assert.equal(httpRequest(FWKNOP_PACKET, '127.0.0.1'), FWKNOP_REQUEST);
  assert.equal(Buffer.from(payloadFor(FWKNOP_PACKET, { host: '127.0.0.1', port: 62201, proto: 'http', family: 0 })).toString('latin1'), FWKNOP_REQUEST);
});

test('URL-safe packet text, and the Host header of names and IPv6 literals', () => {
  assert.equal(urlSafe('a+b/c+/'), 'a-b_c-_');
  assert.match(httpRequest('x', 'spa.example.org'), /\r\nHost: spa\.example\.org\r\n/);
  assert.match(httpRequest('x', 'fd00::1'), /\r\nHost: \[fd00::1\]\r\n/);
});

test('udp sends the packet as the datagram, tcp and http over a connection', async () => {
  const t = new RecordingTransport();
  const to = { address: '10.0.0.1', family: 4 as const };
  assert.equal(await sendPacket('PKT', { host: 'h', port: 62201, proto: 'udp', family: 0 }, to, t), 3);
  await sendPacket('PKT', { host: 'h', port: 62202, proto: 'tcp', family: 0 }, to, t);
  await sendPacket('P/T', { host: 'h', port: 80, proto: 'http', family: 0 }, to, t);
  assert.deepEqual(t.calls, [
    { op: 'udp', address: '10.0.0.1', port: 62201, payload: 'PKT' },
    { op: 'tcp', address: '10.0.0.1', port: 62202, payload: 'PKT' },
    { op: 'tcp', address: '10.0.0.1', port: 80, payload: httpRequest('P/T', 'h') },
  ]);
});

test('the -v transmit block is fwknop\'s', () => {
  assert.deepEqual(describeTransmit({ host: 'spa.example', port: 62201, proto: 'udp', family: 0 }, { address: '192.0.2.9', family: 4 }), [
    'Generating SPA packet:',
    '            protocol: udp',
    '         source port: <OS assigned>',
    '    destination port: 62201',
    '             IP/host: spa.example (192.0.2.9)',
  ]);
});
