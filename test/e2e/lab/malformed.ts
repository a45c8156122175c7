// Malformed frames for the attack suite, each kind aimed at one way a
// decoder can go wrong: reading past the end (a bare Ethernet header, truncated IP, TCP and
// IPv6 headers), trusting a length field (IHL, IP total length, TCP data
// offset, UDP length, IPv6 extension lengths), fragments (a first fragment
// that claims more than it carries, later fragments with no transport
// header), loops (stacked VLAN tags, long IPv6 extension chains), options,
// and plain random bytes. Aimed at the knock ports and the SPA port of the
// server, from random sources. Every frame fits an Ethernet MTU (1,514 bytes).
import { Rng, base64Junk, ethernet, frame4, ipv4, tcp, udp, ETH_IPV4, TCP, UDP, type Link } from './frames.js';
import { JUNK_KINDS, junkPayload } from './spa-junk.js';

const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;

export interface Targets {
  readonly knockPorts: readonly number[];
  readonly spaPort: number;
  /** The server's IPv6 address on the segment. */
  readonly dst6: string;
}

type Make = (link: Link, rng: Rng, to: Targets) => Buffer;

function ip6Bytes(text: string): Buffer {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const words = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = words(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  const b = Buffer.alloc(16);
  all.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}

function ipv6(src: Buffer, dst: string, next: number, payload: Buffer, payloadLength?: number): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE((payloadLength ?? payload.length) & 0xffff, 4);
  h[6] = next;
  h[7] = 64;
  src.copy(h, 8);
  ip6Bytes(dst).copy(h, 24);
  return Buffer.concat([h, payload]);
}

/** An IPv6 extension header (hop-by-hop, routing, destination options): next, length in 8-byte units beyond the first. */
function ext6(next: number, units: number, rng: Rng): Buffer {
  const b = Buffer.concat([Buffer.from([next, units]), rng.bytes(6 + units * 8)]);
  return b;
}

const knockSyn = (link: Link, rng: Rng, to: Targets, src = rng.ip4()) => tcp(src, link.dst, rng.int(1024, 65535), rng.pick(to.knockPorts));
const eth4 = (link: Link, ip: Buffer) => ethernet(link.dstMac, link.srcMac, ETH_IPV4, ip);

export const MALFORMED: Readonly<Record<string, Make>> = {
  'eth-header-only': (l) => ethernet(l.dstMac, l.srcMac, ETH_IPV4, Buffer.alloc(0)),
  'ip-truncated': (l, rng, to) => {
    const src = rng.ip4();
    return eth4(l, ipv4({ src, dst: l.dst, proto: TCP, payload: knockSyn(l, rng, to, src) }).subarray(0, rng.int(1, 19)));
  },
  'ip-bad-ihl': (l, rng, to) => {
    const src = rng.ip4();
    return eth4(l, ipv4({ src, dst: l.dst, proto: TCP, payload: knockSyn(l, rng, to, src), ihl: rng.pick([0, 1, 4, 15]) }));
  },
  'ip-total-too-short': (l, rng, to) => {
    const src = rng.ip4();
    return eth4(l, ipv4({ src, dst: l.dst, proto: TCP, payload: knockSyn(l, rng, to, src), totalLength: rng.int(0, 39) }));
  },
  'ip-total-too-long': (l, rng, to) => {
    const src = rng.ip4();
    return eth4(l, ipv4({ src, dst: l.dst, proto: TCP, payload: knockSyn(l, rng, to, src), totalLength: rng.int(41, 65535) }));
  },
  'ip-options': (l, rng, to) => {
    const src = rng.ip4();
    // Random option bytes: lengths that lie, unknown types, end-of-list in the middle.
    return eth4(l, ipv4({ src, dst: l.dst, proto: TCP, payload: knockSyn(l, rng, to, src), options: rng.bytes(rng.int(1, 40)) }));
  },
  'tcp-truncated': (l, rng, to) => {
    const src = rng.ip4();
    return frame4(l, src, TCP, knockSyn(l, rng, to, src).subarray(0, rng.int(0, 19)));
  },
  'tcp-bad-offset': (l, rng, to) => {
    const src = rng.ip4();
    return frame4(l, src, TCP, tcp(src, l.dst, rng.int(1024, 65535), rng.pick(to.knockPorts), { dataOffset: rng.pick([0, 1, 4, 6, 15]) }));
  },
  'tcp-options': (l, rng, to) => {
    const src = rng.ip4();
    return frame4(l, src, TCP, tcp(src, l.dst, rng.int(1024, 65535), rng.pick(to.knockPorts), { options: rng.bytes(4 * rng.int(1, 10)) }));
  },
  'fragment-first': (l, rng, to) => {
    const src = rng.ip4();
    return frame4(l, src, TCP, knockSyn(l, rng, to, src), { fragment: 0x2000, id: rng.int(0, 65535) });
  },
  'fragment-later': (l, rng) => frame4(l, rng.ip4(), rng.pick([TCP, UDP]), rng.bytes(rng.int(8, 1400)), { fragment: 0x2000 | rng.int(1, 8000), id: rng.int(0, 65535) }),
  'udp-bad-length': (l, rng, to) => frame4(l, rng.ip4(), UDP, udp(rng.int(1024, 65535), to.spaPort, base64Junk(rng, rng.int(140, 300)), rng.pick([0, 1, 7, 9, 65535]))),
  'udp-truncated': (l, rng, to) => frame4(l, rng.ip4(), UDP, udp(rng.int(1024, 65535), to.spaPort, Buffer.alloc(0)).subarray(0, rng.int(0, 7))),
  'udp-first-fragment': (l, rng, to) => {
    // Claims a 65,507-byte datagram, carries its first 1,472 bytes.
    const body = base64Junk(rng, 1472);
    return frame4(l, rng.ip4(), UDP, udp(rng.int(1024, 65535), to.spaPort, body, 65515), { fragment: 0x2000, id: rng.int(0, 65535) });
  },
  'spa-junk': (l, rng, to) => frame4(l, rng.ip4(), UDP, udp(rng.int(1024, 65535), to.spaPort, junkPayload(rng, rng.pick(JUNK_KINDS)))),
  'vlan-stack': (l, rng, to) => {
    const src = rng.ip4();
    const tags = Buffer.alloc(4 * rng.int(3, 12));
    for (let i = 0; i < tags.length; i += 4) {
      tags.writeUInt16BE(rng.int(0, 4095), i);
      tags.writeUInt16BE(i + 4 < tags.length ? ETH_VLAN : ETH_IPV4, i + 2);
    }
    return ethernet(l.dstMac, l.srcMac, ETH_VLAN, Buffer.concat([tags, ipv4({ src, dst: l.dst, proto: TCP, payload: knockSyn(l, rng, to, src) })]));
  },
  'ipv6-truncated': (l, rng, to) => ethernet(l.dstMac, l.srcMac, ETH_IPV6, ipv6(rng.bytes(16), to.dst6, TCP, rng.bytes(20)).subarray(0, rng.int(1, 39))),
  'ipv6-length-lies': (l, rng, to) => ethernet(l.dstMac, l.srcMac, ETH_IPV6, ipv6(rng.bytes(16), to.dst6, rng.pick([TCP, UDP]), rng.bytes(rng.int(0, 30)), rng.int(0, 65535))),
  'ipv6-extension-chain': (l, rng, to) => {
    // More extension headers than a decoder should walk, each pointing at the next.
    const n = rng.int(5, 20);
    const parts: Buffer[] = [];
    for (let i = 0; i < n; i++) parts.push(ext6(i + 1 < n ? rng.pick([0, 43, 60]) : TCP, 0, rng));
    parts.push(rng.bytes(20));
    return ethernet(l.dstMac, l.srcMac, ETH_IPV6, ipv6(rng.bytes(16), to.dst6, 60, Buffer.concat(parts)));
  },
  'ipv6-extension-overrun': (l, rng, to) => ethernet(l.dstMac, l.srcMac, ETH_IPV6, ipv6(rng.bytes(16), to.dst6, rng.pick([0, 43, 44, 60]), Buffer.concat([Buffer.from([TCP, 255]), rng.bytes(rng.int(6, 60))]))),
  'random-ipv4': (l, rng) => {
    const b = rng.bytes(rng.int(20, 1500));
    b[0] = 0x40 | (b[0]! & 0x0f);
    return eth4(l, b);
  },
  'random-ipv6': (l, rng) => {
    const b = rng.bytes(rng.int(40, 1500));
    b[0] = 0x60 | (b[0]! & 0x0f);
    return ethernet(l.dstMac, l.srcMac, ETH_IPV6, b);
  },
  'random-frame': (_l, rng) => rng.bytes(rng.int(14, 1514)),
};

/** `n` frames, the kinds taken in turn. */
export function malformedPool(link: Link, rng: Rng, to: Targets, n: number): Buffer[] {
  const kinds = Object.values(MALFORMED);
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]!(link, rng, to));
}
