// Target: the frame decoder (src/packet/decode.ts), every link type it
// supports, on every input.
import { formatAddress, parseAddress } from '../../config/address.js';
import { decodeFrame } from '../../packet/decode.js';
import type { LinkType } from '../../packet/link.js';
import type { Packet } from '../../packet/packet.js';
import { frame, icmpMessage, ipv4, ipv6, tcpSegment, udpDatagram, LINK_TYPES } from '../../packet/testing.js';
import { ascii, lengthField } from '../mutate.js';
import { violate, type Target } from '../target.js';

const CONTRACT = 'decodeFrame(link, frame, length?) never throws, for all six link types; it returns undefined or a Packet whose '
  + 'family is 4 or 6, src/dst are canonical addresses of that family, proto is tcp/udp/icmp, ports are 0–65535 (0 for ICMP), '
  + 'tcpFlags 0–255 (0 unless TCP), payload a view into the frame within `length` (empty for TCP); bytes of the buffer past '
  + '`length` never change the result.';

function checkAddress(text: string, family: 4 | 6, what: string): void {
  const a = parseAddress(text);
  if (!a || a.family !== family || formatAddress(a) !== text) violate(`${what} ${JSON.stringify(text)} is not a canonical IPv${family} address`);
}

function checkPacket(link: LinkType, p: Packet, buf: Uint8Array, length: number): void {
  const where = `link ${link}`;
  if (p.family !== 4 && p.family !== 6) violate(`${where}: family ${String(p.family)}`);
  checkAddress(p.src, p.family, `${where}: src`);
  checkAddress(p.dst, p.family, `${where}: dst`);
  if (p.proto !== 'tcp' && p.proto !== 'udp' && p.proto !== 'icmp') violate(`${where}: proto ${String(p.proto)}`);
  for (const [k, v, max] of [['srcPort', p.srcPort, 65535], ['dstPort', p.dstPort, 65535], ['tcpFlags', p.tcpFlags, 255]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > max) violate(`${where}: ${k} ${v} outside 0–${max}`);
  }
  if (p.proto === 'icmp' && (p.srcPort !== 0 || p.dstPort !== 0)) violate(`${where}: ICMP with ports`);
  if (p.proto !== 'tcp' && p.tcpFlags !== 0) violate(`${where}: tcpFlags on ${p.proto}`);
  const pl = p.payload;
  if (!(pl instanceof Uint8Array)) violate(`${where}: payload is not bytes`);
  if (p.proto === 'tcp' && pl.length !== 0) violate(`${where}: TCP with a payload`);
  if (pl.length > 0) {
    if (pl.buffer !== buf.buffer) violate(`${where}: payload is not a view into the frame`);
    const start = pl.byteOffset - buf.byteOffset;
    if (start < 0 || start + pl.length > length) violate(`${where}: payload ${start}+${pl.length} outside the ${length} valid bytes`);
  }
}

function same(a: Packet | undefined, b: Packet | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.family === b.family && a.src === b.src && a.dst === b.dst && a.proto === b.proto && a.srcPort === b.srcPort
    && a.dstPort === b.dstPort && a.tcpFlags === b.tcpFlags && Buffer.from(a.payload).equals(Buffer.from(b.payload));
}

function run(input: Uint8Array): string {
  // The same bytes at the start of a larger buffer whose tail is junk, as a capture buffer is.
  const padded = new Uint8Array(input.length + 64).fill(0x45);
  padded.set(input);
  const labels: string[] = [];
  for (const link of LINK_TYPES) {
    const p = decodeFrame(link, input);
    if (p) checkPacket(link, p, input, input.length);
    const q = decodeFrame(link, padded, input.length);
    if (q) checkPacket(link, q, padded, input.length);
    if (!same(p, q)) violate(`link ${link}: bytes past \`length\` changed the result`);
    labels.push(`${link} ${p ? `${p.family}${p.proto}` : '-'}`);
  }
  return labels.join('|');
}

function seeds(): Uint8Array[] {
  const a4 = ['192.0.2.1', '198.51.100.7'] as const;
  const a6 = ['2001:db8::1', 'fe80::1:2:3:4'] as const;
  const ip: Uint8Array[] = [
    ipv4(a4[0], a4[1], 6, tcpSegment(40000, 7000, 0x02)),
    ipv4(a4[0], a4[1], 6, tcpSegment(1, 65535, 0x12, new Uint8Array(8)), { options: new Uint8Array(4) }),
    ipv4(a4[0], a4[1], 17, udpDatagram(5000, 62201, 'payload'), { trailer: 6 }),
    ipv4(a4[0], a4[1], 1, icmpMessage(false, 'knock')),
    ipv4(a4[0], a4[1], 17, udpDatagram(5000, 53), { moreFragments: true }),
    ipv6(a6[0], a6[1], 6, tcpSegment(40000, 8000, 0x02)),
    ipv6(a6[0], a6[1], 17, udpDatagram(5000, 62201, 'x'.repeat(40)), [{ type: 0 }, { type: 60 }]),
    ipv6(a6[0], a6[1], 58, icmpMessage(true, 'ping'), [{ type: 44 }]),
    ipv6('::ffff:192.0.2.1', '::', 17, udpDatagram(1, 2), [{ type: 43 }]),
  ];
  const out: Uint8Array[] = [];
  for (const p of ip) for (const link of LINK_TYPES) out.push(frame(link, p));
  out.push(frame('ethernet', ip[0]!, [0x8100]), frame('ethernet', ip[5]!, [0x88a8, 0x8100]), frame('ethernet', ip[2]!, [0x9100, 0x8100, 0x8100]));
  return out;
}

export const frameTarget: Target = {
  name: 'frame',
  contract: CONTRACT,
  maxLen: 512,
  seeds,
  mutators: [[lengthField, 4]],
  byteWeight: 10,
  dictionary: [
    Uint8Array.of(0x08, 0x00), Uint8Array.of(0x86, 0xdd), Uint8Array.of(0x81, 0x00), Uint8Array.of(0x88, 0xa8), Uint8Array.of(0x91, 0x00),
    Uint8Array.of(0x45), Uint8Array.of(0x4f), Uint8Array.of(0x60), Uint8Array.of(0, 0, 0, 2), Uint8Array.of(2, 0, 0, 0),
    Uint8Array.of(0, 0, 0, 30), Uint8Array.of(6), Uint8Array.of(17), Uint8Array.of(58), Uint8Array.of(44), Uint8Array.of(0x20, 0),
    ascii('\x00\x00\x00\x00\x00\x00\x00\x00'),
  ],
  run,
};
