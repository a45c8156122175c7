// The attack suite's frame builders and pcap reader, without a network: a
// well-formed frame must be one (right checksums, fields where the RFCs put
// them, and the daemon's decoder agrees), a malformed one must reach the
// decoder without making it throw, and a pcap file must read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from '../../../src/packet/decode.js';
import { checksum, encodePool, frame4, ipv4, Rng, spoofedUdp, tcp, udp, TCP, UDP } from './frames.js';
import { MALFORMED, malformedPool } from './malformed.js';
import { capturedPackets } from './pcap-file.js';
import { JUNK_KINDS, junkPayload } from './spa-junk.js';

const LINK = { dstMac: '02:00:00:00:00:01', srcMac: '02:00:00:00:00:02', dst: '10.1.2.1' };

test('checksum: the RFC 1071 example and a header that sums to zero with its checksum', () => {
  // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2, so the checksum is its complement.
  assert.equal(checksum(Buffer.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])), ~0xddf2 & 0xffff);
  const h = ipv4({ src: '192.0.2.7', dst: '10.1.2.1', proto: TCP, payload: Buffer.alloc(0) });
  assert.equal(checksum(h.subarray(0, 20)), 0);
});

test('a spoofed SYN: IPv4 and TCP fields in place, checksums right, and the daemon decodes it as that knock', () => {
  const seg = tcp('203.0.113.9', LINK.dst, 40000, 7000);
  const f = frame4(LINK, '203.0.113.9', TCP, seg);
  assert.equal(f.readUInt16BE(12), 0x0800);
  assert.equal(f[14], 0x45);
  assert.equal(f.readUInt16BE(16), 40);
  const pseudo = Buffer.from([203, 0, 113, 9, 10, 1, 2, 1, 0, TCP, 0, 20]);
  assert.equal(checksum(Buffer.concat([pseudo, f.subarray(34)])), 0);
  const p = decodeFrame('ethernet', f);
  assert.deepEqual(p && { src: p.src, dst: p.dst, proto: p.proto, srcPort: p.srcPort, dstPort: p.dstPort, tcpFlags: p.tcpFlags },
    { src: '203.0.113.9', dst: LINK.dst, proto: 'tcp', srcPort: 40000, dstPort: 7000, tcpFlags: 0x02 });
});

test('SPA junk: each kind decodes as a datagram to the SPA port with its payload; sizes fit one frame', () => {
  const rng = new Rng(7);
  for (const kind of JUNK_KINDS) {
    const payload = junkPayload(rng, kind);
    const f = spoofedUdp(LINK, rng, 62201, payload);
    assert.ok(f.length <= 1514, `${kind}: ${f.length} bytes`);
    const p = decodeFrame('ethernet', f);
    assert.equal(p?.dstPort, 62201, kind);
    assert.deepEqual(Buffer.from(p!.payload), payload, kind);
  }
  assert.match(junkPayload(rng, 'b64-hmac').toString('latin1'), /^[A-Za-z0-9+/]{180,320}$/);
  assert.ok(junkPayload(rng, 'too-short').length < 140);
  assert.ok(junkPayload(rng, 'gpg-sized').length >= 400);
});

test('malformed frames: every kind fits an Ethernet frame and the decoder returns without throwing', () => {
  const rng = new Rng(42);
  const pool = malformedPool(LINK, rng, { knockPorts: [7000, 8000, 9000], spaPort: 62201, dst6: 'fd00:1::1' }, 23 * 200);
  let decoded = 0;
  for (const f of pool) {
    assert.ok(f.length >= 14 && f.length <= 1514, `${f.length} bytes`);
    if (decodeFrame('ethernet', f) !== undefined) decoded++;
  }
  assert.equal(Object.keys(MALFORMED).length, 23);
  // Some kinds are well-formed on purpose (options, first fragments, SPA junk); most must not decode.
  assert.ok(decoded > 0 && decoded < pool.length / 2, `${decoded} of ${pool.length} decoded`);
});

test('lying length fields are written as given', () => {
  const f = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: UDP, payload: udp(1, 2, Buffer.alloc(4), 65535), ihl: 4, totalLength: 7 });
  assert.equal(f[0], 0x44);
  assert.equal(f.readUInt16BE(2), 7);
  assert.equal(f.readUInt16BE(24), 65535);
});

test('pcap-file: a classic pcap of two frames reads back with addresses, ports and the UDP payload', () => {
  const syn = frame4(LINK, '198.51.100.4', TCP, tcp('198.51.100.4', LINK.dst, 1234, 8000));
  const dgram = frame4(LINK, '198.51.100.5', UDP, udp(5555, 62201, Buffer.from('hello')));
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const record = (f: Buffer) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    return Buffer.concat([r, f]);
  };
  const got = capturedPackets(Buffer.concat([header, record(syn), record(dgram)]));
  assert.deepEqual(got.map((c) => [c.src, c.proto, c.dstPort, c.flags, c.payload.toString()]), [
    ['198.51.100.4', 'tcp', 8000, 0x02, ''],
    ['198.51.100.5', 'udp', 62201, 0, 'hello'],
  ]);
  assert.deepEqual(got[0]!.frame, syn);
});

test('encodePool: each frame after its big-endian length', () => {
  assert.deepEqual(encodePool([Buffer.from([1, 2]), Buffer.from([3])]), Buffer.from([0, 2, 1, 2, 0, 1, 3]));
});
