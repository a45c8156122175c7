// Ethernet frames built byte by byte, for the attack tests: well-formed
// IPv4 TCP SYNs and UDP datagrams from any (spoofed) source, and the
// malformed kinds a decoder must survive (truncated headers, a bad IHL, IP
// and TCP lengths that lie, fragments, options, random bytes). Pure: the
// randomness is a seeded generator, so a failing pool can be rebuilt from the
// seed the test prints.

/** xorshift32: small, seeded, good enough to pick bytes and kinds. */
export class Rng {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.next() % items.length]!;
  }
  /** A unicast address in 1.0.0.0–223.255.255.255, never in 10/8 (the lab's). */
  ip4(): string {
    let a: number;
    do a = this.int(1, 223); while (a === 10 || a === 127);
    return `${a}.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `n` characters of the SPA wire alphabet (unpadded base64): junk that passes the character check. */
export function base64Junk(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = B64.charCodeAt(rng.next() & 63);
  return b;
}

function mac(text: string): Buffer {
  const b = Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
  if (b.length !== 6) throw new Error(`not a MAC address: ${text}`);
  return b;
}

function ip4(text: string): Buffer {
  const b = Buffer.from(text.split('.').map(Number));
  if (b.length !== 4) throw new Error(`not an IPv4 address: ${text}`);
  return b;
}

/** The Internet checksum (RFC 1071) of `data`. */
export function checksum(data: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += data.readUInt16BE(i);
  if (data.length % 2 === 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ethernet(dst: string, src: string, type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  mac(dst).copy(h, 0);
  mac(src).copy(h, 6);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
}

export interface Ip4Options {
  readonly src: string;
  readonly dst: string;
  readonly proto: number;
  readonly payload: Buffer;
  /** Header options (padded to 4 bytes). */
  readonly options?: Buffer;
  /** Written as is instead of the real values: the lies. */
  readonly ihl?: number;
  readonly totalLength?: number;
  /** Flags and fragment offset (in 8-byte units), e.g. 0x2000 for "more fragments". */
  readonly fragment?: number;
  readonly id?: number;
}

export function ipv4(o: Ip4Options): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const padded = Buffer.concat([opts, Buffer.alloc((4 - (opts.length % 4)) % 4, 1)]);
  const h = Buffer.alloc(20 + padded.length);
  h[0] = 0x40 | ((o.ihl ?? h.length / 4) & 0x0f);
  h.writeUInt16BE((o.totalLength ?? h.length + o.payload.length) & 0xffff, 2);
  h.writeUInt16BE((o.id ?? 0x1234) & 0xffff, 4);
  h.writeUInt16BE((o.fragment ?? 0x4000) & 0xffff, 6); // don't fragment, by default
  h[8] = 64;
  h[9] = o.proto;
  ip4(o.src).copy(h, 12);
  ip4(o.dst).copy(h, 16);
  padded.copy(h, 20);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, o.payload]);
}

export const TCP = 6;
export const UDP = 17;
export const ETH_IPV4 = 0x0800;

/** A TCP segment with `flags` (0x02 = SYN); `dataOffset` may lie; the checksum is right for the real bytes. */
export function tcp(src: string, dst: string, sport: number, dport: number, o: { flags?: number; seq?: number; dataOffset?: number; options?: Buffer } = {}): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20 + opts.length);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE((o.seq ?? 0x01020304) >>> 0, 4);
  h[12] = ((o.dataOffset ?? h.length / 4) & 0x0f) << 4;
  h[13] = o.flags ?? 0x02;
  h.writeUInt16BE(64240, 14);
  opts.copy(h, 20);
  h.writeUInt16BE(checksum(Buffer.concat([pseudo(src, dst, TCP, h.length), h])), 16);
  return h;
}

/** A UDP datagram; `length` may lie. Checksum 0: none, which IPv4 allows. */
export function udp(sport: number, dport: number, payload: Buffer, length?: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE((length ?? 8 + payload.length) & 0xffff, 4);
  return Buffer.concat([h, payload]);
}

function pseudo(src: string, dst: string, proto: number, length: number): Buffer {
  const p = Buffer.alloc(12);
  ip4(src).copy(p, 0);
  ip4(dst).copy(p, 4);
  p[9] = proto;
  p.writeUInt16BE(length, 10);
  return p;
}

/** Where frames go: the server's address and MAC, the sender's MAC. */
export interface Link {
  readonly dstMac: string;
  readonly srcMac: string;
  readonly dst: string;
}

/** A well-formed IPv4 frame from `src` carrying `l4`. */
export function frame4(link: Link, src: string, proto: number, l4: Buffer, extra: Partial<Ip4Options> = {}): Buffer {
  return ethernet(link.dstMac, link.srcMac, ETH_IPV4, ipv4({ src, dst: link.dst, proto, payload: l4, ...extra }));
}

/** A UDP datagram to `port` from a random source: the SPA flood's packet. */
export function spoofedUdp(link: Link, rng: Rng, port: number, payload: Buffer): Buffer {
  return frame4(link, rng.ip4(), UDP, udp(rng.int(1024, 65535), port, payload));
}

/** Writes frames as a pool file: a big-endian u16 length before each frame. */
export function encodePool(frames: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of frames) {
    if (f.length > 0xffff) throw new Error(`frame of ${f.length} bytes is too long for a pool`);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(f.length);
    parts.push(len, f);
  }
  return Buffer.concat(parts);
}
