// Frame → Packet. Runs once per captured packet, so under a flood it must stay
// cheap: bounds checks instead of exceptions, and no allocation except the
// result, its address strings and the payload view. Anything the knock logic
// cannot use (other protocols, non-first fragments, other ICMP types,
// malformed or truncated headers) decodes to undefined.
import type { Packet } from './packet.js';
import type { LinkType } from './link.js';
import { formatIPv4, formatIPv6 } from './address.js';

const EMPTY: Uint8Array = new Uint8Array(0);
const MAX_VLAN_TAGS = 2;
const MAX_IPV6_EXTENSIONS = 8;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100; // 802.1Q
const ETH_QINQ = 0x88a8; // 802.1ad
const ETH_QINQ_OLD = 0x9100; // pre-standard QinQ

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMPV6 = 58;

/**
 * Decodes one captured frame. `length` is how many bytes of `frame` are valid
 * (the capture buffer is larger than the frame); the payload of the result is
 * a view into `frame`, so copy it if `frame` is going to be reused.
 */
export function decodeFrame(link: LinkType, frame: Uint8Array, length?: number): Packet | undefined {
  const end = length !== undefined && length >= 0 && length < frame.length ? length : frame.length;
  const f = frame;
  switch (link) {
    case 'ethernet':
      return end < 14 ? undefined : decodeEtherType(f, (f[12]! << 8) | f[13]!, 14, end);
    case 'sll': // 16-byte header, protocol at 14
      return end < 16 ? undefined : decodeEtherType(f, (f[14]! << 8) | f[15]!, 16, end);
    case 'sll2': // 20-byte header, protocol at 0
      return end < 20 ? undefined : decodeEtherType(f, (f[0]! << 8) | f[1]!, 20, end);
    case 'null': // address family in the capturing host's byte order
    case 'loop': // address family in network byte order
      return end < 4 ? undefined : decodeFamily(f, end, link === 'null');
    case 'raw':
      if (end < 1) return undefined;
      if (f[0]! >> 4 === 4) return decodeIPv4(f, 0, end);
      if (f[0]! >> 4 === 6) return decodeIPv6(f, 0, end);
      return undefined;
  }
  return undefined;
}

function decodeEtherType(f: Uint8Array, type: number, off: number, end: number): Packet | undefined {
  for (let tags = 0; type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD; tags++) {
    if (tags === MAX_VLAN_TAGS || off + 4 > end) return undefined;
    type = (f[off + 2]! << 8) | f[off + 3]!;
    off += 4;
  }
  if (type === ETH_IPV4) return decodeIPv4(f, off, end);
  if (type === ETH_IPV6) return decodeIPv6(f, off, end);
  return undefined;
}

// AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD, OpenBSD),
// 28 (FreeBSD, DragonFly), 30 (macOS, iOS).
function decodeFamily(f: Uint8Array, end: number, eitherOrder: boolean): Packet | undefined {
  let af: number;
  if (f[0] === 0 && f[1] === 0 && f[2] === 0) af = f[3]!;
  else if (eitherOrder && f[1] === 0 && f[2] === 0 && f[3] === 0) af = f[0]!;
  else return undefined;
  if (af === 2) return decodeIPv4(f, 4, end);
  if (af === 10 || af === 24 || af === 28 || af === 30) return decodeIPv6(f, 4, end);
  return undefined;
}

function decodeIPv4(f: Uint8Array, off: number, end: number): Packet | undefined {
  if (off + 20 > end) return undefined;
  const versionIhl = f[off]!;
  if (versionIhl >> 4 !== 4) return undefined;
  const headerLen = (versionIhl & 0x0f) * 4;
  const totalLen = (f[off + 2]! << 8) | f[off + 3]!;
  if (headerLen < 20 || totalLen < headerLen) return undefined;
  // Ethernet pads short frames, so the IP total length, not the frame, ends the packet.
  const ipEnd = off + totalLen < end ? off + totalLen : end;
  if (off + headerLen > ipEnd) return undefined;
  // Only the first fragment carries the transport header.
  if ((((f[off + 6]! << 8) | f[off + 7]!) & 0x1fff) !== 0) return undefined;
  const proto = f[off + 9]!;
  if (proto === ICMPV6) return undefined;
  return decodeTransport(f, 4, off + 12, proto, off + headerLen, ipEnd);
}

function decodeIPv6(f: Uint8Array, off: number, end: number): Packet | undefined {
  if (off + 40 > end) return undefined;
  if (f[off]! >> 4 !== 6) return undefined;
  const payloadLen = (f[off + 4]! << 8) | f[off + 5]!;
  const ipEnd = off + 40 + payloadLen < end ? off + 40 + payloadLen : end;
  let next = f[off + 6]!;
  let p = off + 40;
  for (let i = 0; i <= MAX_IPV6_EXTENSIONS; i++) {
    if (next === TCP || next === UDP || next === ICMPV6) return decodeTransport(f, 6, off + 8, next, p, ipEnd);
    if (p + 8 > ipEnd) return undefined;
    if (next === 0 || next === 43 || next === 60) {
      // Hop-by-hop, routing, destination options: length in 8-octet units, not counting the first.
      next = f[p]!;
      p += (f[p + 1]! + 1) * 8;
    } else if (next === 44) {
      // Fragment header: only the first fragment (offset 0) carries the transport header.
      if ((((f[p + 2]! << 8) | f[p + 3]!) & 0xfff8) !== 0) return undefined;
      next = f[p]!;
      p += 8;
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** `addr` is where the source address starts; the destination follows it. */
function decodeTransport(f: Uint8Array, family: 4 | 6, addr: number, proto: number, l4: number, end: number): Packet | undefined {
  let kind: Packet['proto'];
  let srcPort = 0;
  let dstPort = 0;
  let tcpFlags = 0;
  let payload = EMPTY;
  if (proto === TCP) {
    if (l4 + 20 > end) return undefined;
    const dataOffset = f[l4 + 12]! >> 4;
    if (dataOffset < 5 || l4 + dataOffset * 4 > end) return undefined;
    kind = 'tcp';
    srcPort = (f[l4]! << 8) | f[l4 + 1]!;
    dstPort = (f[l4 + 2]! << 8) | f[l4 + 3]!;
    tcpFlags = f[l4 + 13]!;
  } else if (proto === UDP) {
    if (l4 + 8 > end) return undefined;
    const udpLen = (f[l4 + 4]! << 8) | f[l4 + 5]!;
    if (udpLen < 8) return undefined;
    kind = 'udp';
    srcPort = (f[l4]! << 8) | f[l4 + 1]!;
    dstPort = (f[l4 + 2]! << 8) | f[l4 + 3]!;
    payload = f.subarray(l4 + 8, l4 + udpLen < end ? l4 + udpLen : end);
  } else if (proto === ICMP || proto === ICMPV6) {
    // Echo request only (RFC 792 type 8, RFC 4443 type 128), code 0; data follows identifier and sequence.
    if (l4 + 8 > end) return undefined;
    if (f[l4] !== (proto === ICMP ? 8 : 128) || f[l4 + 1] !== 0) return undefined;
    kind = 'icmp';
    payload = f.subarray(l4 + 8, end);
  } else {
    return undefined;
  }
  const width = family === 4 ? 4 : 16;
  return {
    family,
    src: family === 4 ? formatIPv4(f, addr) : formatIPv6(f, addr),
    dst: family === 4 ? formatIPv4(f, addr + width) : formatIPv6(f, addr + width),
    proto: kind,
    srcPort,
    dstPort,
    tcpFlags,
    payload,
  };
}
