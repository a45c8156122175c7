// Frame builders for tests: IPv4/IPv6 with TCP, UDP or ICMP inside any link
// framing the decoder supports. Checksums are left zero (nothing here checks them).
import { parseAddress } from '../config/address.js';
import type { LinkType } from './link.js';

function addr(text: string): Uint8Array {
  const a = parseAddress(text);
  if (!a) throw new Error(`bad address in test: ${text}`);
  return a.bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 0xff);
}

export { TCP_FLAG_BITS as FLAGS } from '../config/model.js';

export function tcpSegment(srcPort: number, dstPort: number, flags: number, options = new Uint8Array(0)): Uint8Array {
  if (options.length % 4 !== 0) throw new Error('TCP options must be padded to 4 bytes');
  const h = new Uint8Array(20 + options.length);
  h.set(u16(srcPort), 0);
  h.set(u16(dstPort), 2);
  h[12] = ((20 + options.length) / 4) << 4;
  h[13] = flags;
  h.set(u16(65535), 14);
  h.set(options, 20);
  return h;
}

export function udpDatagram(srcPort: number, dstPort: number, payload: Uint8Array | string = ''): Uint8Array {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return concat(u16(srcPort), u16(dstPort), u16(8 + data.length), u16(0), data);
}

/** ICMP (or ICMPv6 when `v6`) echo request by default. */
export function icmpMessage(v6: boolean, data: Uint8Array | string = '', type = v6 ? 128 : 8, code = 0): Uint8Array {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return concat(Uint8Array.of(type, code, 0, 0, 0x12, 0x34, 0, 1), bytes);
}

export interface IPv4Options {
  options?: Uint8Array;
  /** In 8-byte units. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** Bytes added after the packet (like Ethernet padding), not counted in the total length. */
  trailer?: number;
}

export function ipv4(src: string, dst: string, proto: number, body: Uint8Array, o: IPv4Options = {}): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const h = new Uint8Array(20 + opts.length);
  h[0] = 0x40 | ((20 + opts.length) / 4);
  h.set(u16(h.length + body.length), 2);
  h.set(u16(0x1234), 4);
  h.set(u16((o.moreFragments ? 0x2000 : 0) | (o.fragmentOffset ?? 0)), 6);
  h[8] = 64;
  h[9] = proto;
  h.set(addr(src), 12);
  h.set(addr(dst), 16);
  h.set(opts, 20);
  return concat(h, body, new Uint8Array(o.trailer ?? 0));
}

/** An IPv6 extension header: `type` is 0, 43, 44 or 60; `body` excludes the next-header byte. */
export interface Extension {
  type: number;
  body?: Uint8Array;
  /** For type 44. */
  fragmentOffset?: number;
}

export function ipv6(src: string, dst: string, next: number, body: Uint8Array, extensions: Extension[] = []): Uint8Array {
  const exts: Uint8Array[] = [];
  let first = next;
  for (let i = extensions.length - 1; i >= 0; i--) {
    const e = extensions[i]!;
    let h: Uint8Array;
    if (e.type === 44) {
      h = new Uint8Array(8);
      h.set(u16((e.fragmentOffset ?? 0) << 3), 2);
    } else {
      const inner = e.body ?? new Uint8Array(6);
      if ((inner.length + 2) % 8 !== 0) throw new Error('extension body must make the header a multiple of 8');
      h = concat(Uint8Array.of(0, (inner.length + 2) / 8 - 1), inner);
    }
    h[0] = first;
    first = e.type;
    exts.unshift(h);
  }
  const payload = concat(...exts, body);
  const h = new Uint8Array(40);
  h[0] = 0x60;
  h.set(u16(payload.length), 4);
  h[6] = first;
  h[7] = 64;
  h.set(addr(src), 8);
  h.set(addr(dst), 24);
  return concat(h, payload);
}

const MAC_A = Uint8Array.of(0x02, 0, 0, 0, 0, 0x0a);
const MAC_B = Uint8Array.of(0x02, 0, 0, 0, 0, 0x0b);

function etherTypeOf(ip: Uint8Array): number {
  return ip[0]! >> 4 === 6 ? 0x86dd : 0x0800;
}

/** Wraps an IP packet; `vlanTags` lists the TPIDs of the VLAN tags, outermost first. */
export function frame(link: LinkType, ip: Uint8Array, vlanTags: number[] = []): Uint8Array {
  const type = etherTypeOf(ip);
  const v6 = type === 0x86dd;
  switch (link) {
    case 'ethernet': // each tag is a TPID where the ethertype would be, then a TCI (VLAN 100)
      return concat(MAC_B, MAC_A, ...vlanTags.flatMap((tpid) => [u16(tpid), u16(100)]), u16(type), ip);
    case 'sll':
      return concat(u16(0), u16(1), u16(6), MAC_A, u16(0), u16(type), ip);
    case 'sll2':
      return concat(u16(type), u16(0), Uint8Array.of(0, 0, 0, 2), u16(1), Uint8Array.of(0, 6), MAC_A, u16(0), ip);
    case 'null': // little-endian host, Linux AF_INET6
      return concat(Uint8Array.of(v6 ? 10 : 2, 0, 0, 0), ip);
    case 'loop': // network order, OpenBSD AF_INET6
      return concat(Uint8Array.of(0, 0, 0, v6 ? 24 : 2), ip);
    case 'raw':
      return ip;
  }
}

export const LINK_TYPES: readonly LinkType[] = ['ethernet', 'sll', 'sll2', 'null', 'loop', 'raw'];
