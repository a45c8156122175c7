import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from './decode.js';
import type { Packet } from './packet.js';
import type { LinkType } from './link.js';
import { FLAGS, LINK_TYPES, frame, icmpMessage, ipv4, ipv6, tcpSegment, udpDatagram } from './testing.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const text = (b: Uint8Array): string => Buffer.from(b).toString();

function expectPacket(got: Packet | undefined, want: Partial<Packet> & { payloadText?: string }): void {
  assert.ok(got, 'expected a packet');
  const { payloadText, ...fields } = want;
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(got[k as keyof Packet], v, k);
  if (payloadText !== undefined) assert.equal(text(got.payload), payloadText);
}

// Captured with `tcpdump -i lo` / `-i any` (SLL2) / `-i any -y LINUX_SLL` while
// running `knock 127.0.0.1 7000 8000:udp`, `knock -6 ::1 7000 8000:udp`,
// `ping -p 6b6e6f636b 127.0.0.1` and `ping -6 ::1`.
const REAL: { name: string; link: LinkType; hex: string; want: Partial<Packet> & { payloadText?: string } }[] = [
  {
    name: 'knock SYN, IPv4, lo (Ethernet)', link: 'ethernet',
    hex: '00000000000000000000000008004500003c92d940004006a9e07f0000017f000001a1bc1b58bbafcb7e00000000a002ffd7fe3000000204ffd70402080a4930f349000000000103030a',
    want: { family: 4, src: '127.0.0.1', dst: '127.0.0.1', proto: 'tcp', srcPort: 41404, dstPort: 7000, tcpFlags: FLAGS.syn, payloadText: '' },
  },
  {
    name: 'RST+ACK reply, IPv4, lo', link: 'ethernet',
    hex: '0000000000000000000000000800450000280000400040063cce7f0000017f0000011b58a1bc00000000bbafcb7f501400006d8a0000',
    want: { proto: 'tcp', srcPort: 7000, dstPort: 41404, tcpFlags: FLAGS.rst | FLAGS.ack },
  },
  {
    name: 'knock UDP, IPv4, lo', link: 'ethernet',
    hex: '00000000000000000000000008004500001dc5384000401177957f0000017f000001a0fa1f400009fe1c00',
    want: { family: 4, proto: 'udp', srcPort: 41210, dstPort: 8000, tcpFlags: 0, payload: Uint8Array.of(0) },
  },
  {
    name: 'knock SYN, IPv6, lo', link: 'ethernet',
    hex: '00000000000000000000000086dd60055f84002806400000000000000000000000000000000100000000000000000000000000000001d6321b58482b0e8c00000000a002ffc4003000000204ffc40402080a1605aaac000000000103030a',
    want: { family: 6, src: '::1', dst: '::1', proto: 'tcp', srcPort: 54834, dstPort: 7000, tcpFlags: FLAGS.syn },
  },
  {
    name: 'knock UDP, IPv6, lo', link: 'ethernet',
    hex: '00000000000000000000000086dd6000994c000911400000000000000000000000000000000100000000000000000000000000000001d1791f400009001c00',
    want: { family: 6, proto: 'udp', srcPort: 53625, dstPort: 8000, payload: Uint8Array.of(0) },
  },
  {
    name: 'ping -p knock, IPv4, lo', link: 'ethernet',
    hex: '000000000000000000000000080045000054e7744000400155327f0000017f00000108009d1f221a0001c29c026b00000000135d0000000000006e6f636b6b6e6f636b6b6e6f636b6b6e6f636b6b6e6f636b6b6e6f636b6b6e6f636b6b6e6f636b6b',
    want: { family: 4, proto: 'icmp', srcPort: 0, dstPort: 0, payload: hex('c29c026b00000000135d000000000000' + '6e6f636b6b'.repeat(8)) },
  },
  {
    name: 'ping -6, lo', link: 'ethernet',
    hex: '00000000000000000000000086dd600821eb00403a40000000000000000000000000000000010000000000000000000000000000000180007223221b0001c29c026b000000006769000000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
    want: { family: 6, proto: 'icmp', src: '::1' },
  },
  {
    name: 'knock SYN, IPv4, any (SLL2)', link: 'sll2',
    hex: '08000000000000010304000600000000000000004500003c92d940004006a9e07f0000017f000001a1bc1b58bbafcb7e00000000a002ffd7fe3000000204ffd70402080a4930f349000000000103030a',
    want: { family: 4, proto: 'tcp', dstPort: 7000, tcpFlags: FLAGS.syn },
  },
  {
    name: 'knock UDP, IPv6, any (SLL2)', link: 'sll2',
    hex: '86dd0000000000010304000600000000000000006000994c000911400000000000000000000000000000000100000000000000000000000000000001d1791f400009001c00',
    want: { family: 6, proto: 'udp', dstPort: 8000 },
  },
  {
    name: 'knock SYN, IPv4, any (SLL)', link: 'sll',
    hex: '000003040006000000000000000008004500003c92d940004006a9e07f0000017f000001a1bc1b58bbafcb7e00000000a002ffd7fe3000000204ffd70402080a4930f349000000000103030a',
    want: { family: 4, proto: 'tcp', dstPort: 7000, tcpFlags: FLAGS.syn },
  },
  {
    name: 'knock SYN, IPv6, any (SLL)', link: 'sll',
    hex: '000003040006000000000000000086dd60055f84002806400000000000000000000000000000000100000000000000000000000000000001d6321b58482b0e8c00000000a002ffc4003000000204ffc40402080a1605aaac000000000103030a',
    want: { family: 6, proto: 'tcp', dstPort: 7000, src: '::1' },
  },
];

test('real frames captured with tcpdump', () => {
  for (const r of REAL) expectPacket(decodeFrame(r.link, hex(r.hex)), r.want);
  // ICMP port unreachable, captured in the same run: not an echo request.
  assert.equal(decodeFrame('ethernet', hex('000000000000000000000000080045c00039e77300004001948e7f0000017f00000103033e9c000000004500001dc5384000401177957f0000017f000001a0fa1f400009fe1c00')), undefined);
});

/** One IP packet of each kind, with the packet the decoder should produce. */
function samples(): { name: string; ip: Uint8Array; want: Partial<Packet> & { payloadText?: string } }[] {
  return [
    { name: 'IPv4 TCP', ip: ipv4('192.0.2.1', '198.51.100.7', 6, tcpSegment(40000, 7000, FLAGS.syn)),
      want: { family: 4, src: '192.0.2.1', dst: '198.51.100.7', proto: 'tcp', srcPort: 40000, dstPort: 7000, tcpFlags: FLAGS.syn, payloadText: '' } },
    { name: 'IPv4 UDP', ip: ipv4('192.0.2.1', '198.51.100.7', 17, udpDatagram(40001, 8000, 'knock')),
      want: { family: 4, proto: 'udp', srcPort: 40001, dstPort: 8000, tcpFlags: 0, payloadText: 'knock' } },
    { name: 'IPv4 ICMP echo', ip: ipv4('192.0.2.1', '198.51.100.7', 1, icmpMessage(false, 'ping data')),
      want: { family: 4, proto: 'icmp', srcPort: 0, dstPort: 0, tcpFlags: 0, payloadText: 'ping data' } },
    { name: 'IPv6 TCP', ip: ipv6('2001:db8::1', 'fe80::1', 6, tcpSegment(40000, 7000, FLAGS.syn | FLAGS.ack)),
      want: { family: 6, src: '2001:db8::1', dst: 'fe80::1', proto: 'tcp', dstPort: 7000, tcpFlags: FLAGS.syn | FLAGS.ack } },
    { name: 'IPv6 UDP', ip: ipv6('2001:db8::1', '2001:db8:0:1::2', 17, udpDatagram(40001, 8000, 'knock6')),
      want: { family: 6, dst: '2001:db8:0:1::2', proto: 'udp', dstPort: 8000, payloadText: 'knock6' } },
    { name: 'IPv6 ICMPv6 echo', ip: ipv6('::ffff:192.0.2.9', '::1', 58, icmpMessage(true, 'ping6')),
      want: { family: 6, src: '::ffff:192.0.2.9', dst: '::1', proto: 'icmp', payloadText: 'ping6' } },
  ];
}

test('every link type × IPv4/IPv6 × TCP/UDP/ICMP', () => {
  for (const link of LINK_TYPES) {
    for (const s of samples()) expectPacket(decodeFrame(link, frame(link, s.ip)), s.want);
  }
});

test('NULL link type accepts either byte order and every AF_INET6 value', () => {
  const ip6 = ipv6('::2', '::1', 17, udpDatagram(1, 2, 'x'));
  for (const af of [10, 24, 28, 30]) {
    assert.equal(decodeFrame('null', Uint8Array.from([af, 0, 0, 0, ...ip6]))?.dstPort, 2);
    assert.equal(decodeFrame('null', Uint8Array.from([0, 0, 0, af, ...ip6]))?.dstPort, 2);
    assert.equal(decodeFrame('loop', Uint8Array.from([0, 0, 0, af, ...ip6]))?.dstPort, 2);
  }
  assert.equal(decodeFrame('loop', Uint8Array.from([10, 0, 0, 0, ...ip6])), undefined, 'LOOP is network order');
  assert.equal(decodeFrame('null', Uint8Array.from([7, 0, 0, 0, ...ip6])), undefined, 'unknown family');
  assert.equal(decodeFrame('null', Uint8Array.from([2, 0, 0, 0, ...ip6])), undefined, 'AF_INET with an IPv6 packet');
});

test('VLAN tags: 802.1Q, 802.1ad QinQ, old 0x9100; more than two are refused', () => {
  const ip = ipv4('192.0.2.1', '192.0.2.2', 6, tcpSegment(1, 7000, FLAGS.syn));
  const ip6 = ipv6('2001:db8::1', '2001:db8::2', 17, udpDatagram(1, 8000, 'v'));
  for (const tags of [[0x8100], [0x88a8, 0x8100], [0x9100, 0x8100], [0x8100, 0x8100]]) {
    assert.equal(decodeFrame('ethernet', frame('ethernet', ip, tags))?.dstPort, 7000, String(tags));
    expectPacket(decodeFrame('ethernet', frame('ethernet', ip6, tags)), { family: 6, dstPort: 8000, payloadText: 'v' });
  }
  assert.equal(decodeFrame('ethernet', frame('ethernet', ip, [0x88a8, 0x8100, 0x8100])), undefined);
  // A tag inside SLL (e.g. -i any on a trunk without offload) works too.
  const sll = frame('sll', ip);
  const tagged = Uint8Array.from([...sll.subarray(0, 14), 0x81, 0x00, 0, 100, 0x08, 0x00, ...sll.subarray(16)]);
  assert.equal(decodeFrame('sll', tagged)?.dstPort, 7000);
});

test('other ethertypes and IP versions are ignored', () => {
  const ip = ipv4('192.0.2.1', '192.0.2.2', 17, udpDatagram(1, 2));
  const eth = frame('ethernet', ip);
  eth[12] = 0x08; eth[13] = 0x06; // ARP
  assert.equal(decodeFrame('ethernet', eth), undefined);
  const v5 = Uint8Array.from(ip);
  v5[0] = 0x55;
  assert.equal(decodeFrame('raw', v5), undefined);
  const ip6 = ipv6('::1', '::1', 17, udpDatagram(1, 2));
  const wrong = frame('ethernet', ip6);
  wrong[12] = 0x08; wrong[13] = 0x00; // IPv6 packet under the IPv4 ethertype
  assert.equal(decodeFrame('ethernet', wrong), undefined);
});

test('IPv4 options are skipped; a bad IHL is refused', () => {
  const withOpts = ipv4('192.0.2.1', '192.0.2.2', 17, udpDatagram(1, 9000, 'opt'), { options: Uint8Array.of(0x94, 4, 0, 0, 1, 1, 1, 0) });
  expectPacket(decodeFrame('raw', withOpts), { dstPort: 9000, payloadText: 'opt' });
  const maxOpts = ipv4('192.0.2.1', '192.0.2.2', 6, tcpSegment(1, 9001, FLAGS.syn), { options: new Uint8Array(40).fill(1) });
  assert.equal(decodeFrame('raw', maxOpts)?.dstPort, 9001);
  const plain = ipv4('192.0.2.1', '192.0.2.2', 6, tcpSegment(1, 9001, FLAGS.syn));
  for (const ihl of [0, 1, 4]) {
    const bad = Uint8Array.from(plain);
    bad[0] = 0x40 | ihl;
    assert.equal(decodeFrame('raw', bad), undefined, `IHL ${ihl}`);
  }
  const beyond = Uint8Array.from(plain);
  beyond[0] = 0x4f; // 60-byte header in a 40-byte packet
  assert.equal(decodeFrame('raw', beyond), undefined);
});

test('IPv4 total length: Ethernet padding is not payload; a length shorter than the header is refused', () => {
  const padded = frame('ethernet', ipv4('192.0.2.1', '192.0.2.2', 17, udpDatagram(1, 2, 'ab'), { trailer: 16 }));
  expectPacket(decodeFrame('ethernet', padded), { payloadText: 'ab' });
  const ip = ipv4('192.0.2.1', '192.0.2.2', 17, udpDatagram(1, 2, 'ab'));
  const short = Uint8Array.from(ip);
  short[2] = 0; short[3] = 19;
  assert.equal(decodeFrame('raw', short), undefined);
  const cut = Uint8Array.from(ip);
  cut[2] = 0; cut[3] = 20 + 8 + 1; // the IP length cuts the datagram: payload bounded by it
  expectPacket(decodeFrame('raw', cut), { payloadText: 'a' });
});

test('IPv4 fragments: the first is decoded, the others are not', () => {
  const body = udpDatagram(1, 5000, 'frag');
  expectPacket(decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 17, body, { moreFragments: true })), { dstPort: 5000 });
  assert.equal(decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 17, body, { fragmentOffset: 1 })), undefined);
  assert.equal(decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 17, body, { fragmentOffset: 0x1fff, moreFragments: true })), undefined);
});

test('IPv6 extension headers are walked', () => {
  const tcp = tcpSegment(1, 7000, FLAGS.syn);
  const ok = [
    [{ type: 0 }],
    [{ type: 0 }, { type: 60 }, { type: 43 }],
    [{ type: 60, body: new Uint8Array(14) }],
    [{ type: 44 }],
    [{ type: 0 }, { type: 44 }, { type: 60 }],
  ];
  for (const exts of ok) {
    assert.equal(decodeFrame('raw', ipv6('2001:db8::1', '2001:db8::2', 6, tcp, exts))?.dstPort, 7000, JSON.stringify(exts));
  }
  expectPacket(decodeFrame('raw', ipv6('2001:db8::1', '2001:db8::2', 17, udpDatagram(1, 2, 'x'), [{ type: 0 }, { type: 44 }])), { payloadText: 'x' });
  expectPacket(decodeFrame('raw', ipv6('2001:db8::1', '2001:db8::2', 58, icmpMessage(true, 'e'), [{ type: 60 }])), { proto: 'icmp', payloadText: 'e' });
  assert.equal(decodeFrame('raw', ipv6('2001:db8::1', '2001:db8::2', 6, tcp, [{ type: 44, fragmentOffset: 1 }])), undefined, 'non-first fragment');
  assert.equal(decodeFrame('raw', ipv6('2001:db8::1', '2001:db8::2', 6, tcp, new Array(9).fill({ type: 60 }))), undefined, 'too many headers');
  assert.equal(decodeFrame('raw', ipv6('2001:db8::1', '2001:db8::2', 6, tcp, new Array(8).fill({ type: 60 })))?.dstPort, 7000);
  assert.equal(decodeFrame('raw', ipv6('2001:db8::1', '2001:db8::2', 59, new Uint8Array(0))), undefined, 'no next header');
  assert.equal(decodeFrame('raw', ipv6('2001:db8::1', '2001:db8::2', 51, new Uint8Array(24))), undefined, 'AH is not walked');
  // An extension length pointing past the packet.
  const long = ipv6('2001:db8::1', '2001:db8::2', 6, tcp, [{ type: 0 }]);
  long[41] = 200;
  assert.equal(decodeFrame('raw', long), undefined);
});

test('IPv6 payload length bounds the packet', () => {
  const ip = ipv6('2001:db8::1', '2001:db8::2', 17, udpDatagram(1, 2, 'abc'));
  const padded = Uint8Array.from([...ip, 9, 9, 9, 9]);
  expectPacket(decodeFrame('raw', padded), { payloadText: 'abc' });
  const short = Uint8Array.from(ip);
  short[5] = 7; // shorter than the UDP header
  assert.equal(decodeFrame('raw', short), undefined);
});

test('TCP data offset sanity and options', () => {
  const opts = tcpSegment(1, 7000, FLAGS.syn, Uint8Array.of(2, 4, 5, 0xb4, 1, 1, 4, 2));
  assert.equal(decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 6, opts))?.tcpFlags, FLAGS.syn);
  for (const doff of [0, 4, 15]) {
    const seg = tcpSegment(1, 7000, FLAGS.syn);
    seg[12] = doff << 4;
    assert.equal(decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 6, seg)), undefined, `data offset ${doff}`);
  }
  const all = tcpSegment(1, 7000, 0xff);
  assert.equal(decodeFrame('raw', ipv6('::1', '::1', 6, all))?.tcpFlags, 0xff);
});

test('UDP length bounds the payload; below 8 is refused', () => {
  const d = udpDatagram(1, 2, 'abcdef');
  d[5] = 8 + 3;
  expectPacket(decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 17, d)), { payloadText: 'abc' });
  d[5] = 7;
  assert.equal(decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 17, d)), undefined);
  d[4] = 0xff; d[5] = 0xff; // longer than what was captured: bounded by the capture
  expectPacket(decodeFrame('raw', ipv6('::1', '::1', 17, d)), { payloadText: 'abcdef' });
});

test('only ICMP echo requests are knocks', () => {
  const v4 = (type: number, code: number) => decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 1, icmpMessage(false, 'x', type, code)));
  const v6 = (type: number, code: number) => decodeFrame('raw', ipv6('::1', '::1', 58, icmpMessage(true, 'x', type, code)));
  assert.equal(v4(8, 0)?.proto, 'icmp');
  for (const [t, c] of [[0, 0], [3, 3], [8, 1], [11, 0], [13, 0]] as const) assert.equal(v4(t, c), undefined, `${t}/${c}`);
  assert.equal(v6(128, 0)?.proto, 'icmp');
  for (const [t, c] of [[129, 0], [1, 4], [135, 0], [128, 1], [8, 0]] as const) assert.equal(v6(t, c), undefined, `${t}/${c}`);
  // ICMP in the wrong IP version.
  assert.equal(decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 58, icmpMessage(true))), undefined);
  assert.equal(decodeFrame('raw', ipv6('::1', '::1', 1, icmpMessage(false))), undefined);
  // Shorter than the 8-byte echo header.
  assert.equal(decodeFrame('raw', ipv4('192.0.2.1', '192.0.2.2', 1, Uint8Array.of(8, 0, 0, 0, 0, 0, 0))), undefined);
});

test('length limits the frame inside a larger reused buffer', () => {
  const f = frame('ethernet', ipv6('2001:db8::1', '2001:db8::2', 17, udpDatagram(1, 2, 'hello')));
  const buffer = new Uint8Array(65535).fill(0xee);
  buffer.set(f);
  // The IPv6 payload length still says 13, so the garbage after the frame is never read.
  expectPacket(decodeFrame('ethernet', buffer, f.length), { payloadText: 'hello' });
  assert.equal(decodeFrame('ethernet', buffer, f.length - 3)?.payload.length, 2);
  assert.equal(decodeFrame('ethernet', buffer, 0), undefined);
  const p = decodeFrame('ethernet', buffer, f.length)!;
  assert.equal(p.payload.buffer, buffer.buffer, 'the payload is a view, not a copy');
});

test('a frame cut at every byte offset never throws, and a cut into the headers decodes to nothing', () => {
  for (const link of LINK_TYPES) {
    for (const s of samples()) {
      const f = frame(link, s.ip, link === 'ethernet' ? [0x88a8, 0x8100] : []);
      const full = decodeFrame(link, f);
      assert.ok(full);
      const payloadStart = f.length - full.payload.length;
      for (let len = 0; len < f.length; len++) {
        const a = decodeFrame(link, f, len);
        const b = decodeFrame(link, f.subarray(0, len));
        assert.deepEqual(a, b);
        if (len < payloadStart) assert.equal(a, undefined, `${link} ${s.name} cut at ${len}`);
        else assert.equal(a?.payload.length, len - payloadStart);
      }
    }
  }
});

// mulberry32, seeded so a failure reproduces.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkSane(p: Packet | undefined, f: Uint8Array): void {
  if (!p) return;
  assert.ok(p.family === 4 || p.family === 6);
  assert.ok(p.srcPort >= 0 && p.srcPort <= 65535 && p.dstPort >= 0 && p.dstPort <= 65535);
  assert.ok(p.tcpFlags >= 0 && p.tcpFlags <= 255);
  assert.ok(p.payload.length <= f.length);
  assert.ok(typeof p.src === 'string' && typeof p.dst === 'string');
}

test('100k random and mutated frames never throw', () => {
  const rand = prng(0xc0ffee);
  const valid = LINK_TYPES.flatMap((link) => samples().map((s) => ({ link, f: frame(link, s.ip) })));
  let decoded = 0;
  for (let n = 0; n < 100_000; n++) {
    const link = LINK_TYPES[Math.floor(rand() * LINK_TYPES.length)]!;
    let f: Uint8Array;
    let l: LinkType = link;
    if (n % 2 === 0) {
      // Pure noise, with a plausible first byte often enough to get past the link layer.
      f = new Uint8Array(Math.floor(rand() * 120));
      for (let i = 0; i < f.length; i++) f[i] = Math.floor(rand() * 256);
      if (link === 'raw' && f.length > 0) f[0] = (rand() < 0.5 ? 0x40 : 0x60) | (f[0]! & 0x0f);
    } else {
      // A valid frame with a few bytes flipped.
      const v = valid[Math.floor(rand() * valid.length)]!;
      l = v.link;
      f = Uint8Array.from(v.f);
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) f[Math.floor(rand() * f.length)] = Math.floor(rand() * 256);
    }
    const p = decodeFrame(l, f, rand() < 0.2 ? Math.floor(rand() * (f.length + 2)) : undefined);
    checkSane(p, f);
    if (p) decoded++;
  }
  assert.ok(decoded > 10_000, `mutations should often still decode (${decoded})`);
});
