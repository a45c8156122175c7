// What an eavesdropper recorded: a tcpdump -w file read back, independent of
// the daemon's decoder (the attack tests must not trust the code they test).
// Classic pcap only (tcpdump's default), Ethernet frames, IPv4.

export interface Captured {
  /** The whole frame, as it was on the wire. */
  readonly frame: Buffer;
  readonly src: string;
  readonly dst: string;
  readonly proto: 'tcp' | 'udp' | 'other';
  readonly dstPort: number;
  /** TCP flags byte (0 for UDP). */
  readonly flags: number;
  /** The UDP payload (empty for TCP). */
  readonly payload: Buffer;
}

/** The records of a classic pcap file with link type Ethernet. */
export function readPcap(file: Buffer): Buffer[] {
  if (file.length < 24) throw new Error('not a pcap file: shorter than its header');
  const magic = file.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && file.readUInt32BE(0) !== 0xa1b2c3d4 && file.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`not a classic pcap file (magic ${magic.toString(16)})`);
  const u32 = (at: number) => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  if (u32(20) !== 1) throw new Error(`link type ${u32(20)}, expected Ethernet (1)`);
  const frames: Buffer[] = [];
  for (let at = 24; at + 16 <= file.length;) {
    const caplen = u32(at + 8);
    frames.push(file.subarray(at + 16, at + 16 + caplen));
    at += 16 + caplen;
  }
  return frames;
}

export function parseFrame(frame: Buffer): Captured | undefined {
  if (frame.length < 34 || frame.readUInt16BE(12) !== 0x0800) return undefined;
  const ip = frame.subarray(14);
  const ihl = (ip[0]! & 0x0f) * 4;
  const end = Math.min(ip.length, ip.readUInt16BE(2));
  const l4 = ip.subarray(ihl, end);
  const addr = (at: number) => `${ip[at]}.${ip[at + 1]}.${ip[at + 2]}.${ip[at + 3]}`;
  const base = { frame, src: addr(12), dst: addr(16) };
  if (ip[9] === 6 && l4.length >= 20) return { ...base, proto: 'tcp', dstPort: l4.readUInt16BE(2), flags: l4[13]!, payload: Buffer.alloc(0) };
  if (ip[9] === 17 && l4.length >= 8) return { ...base, proto: 'udp', dstPort: l4.readUInt16BE(2), flags: 0, payload: l4.subarray(8, l4.readUInt16BE(4)) };
  return { ...base, proto: 'other', dstPort: 0, flags: 0, payload: Buffer.alloc(0) };
}

/** Every IPv4 packet of a pcap file, in capture order. */
export function capturedPackets(file: Buffer): Captured[] {
  return readPcap(file).map(parseFrame).filter((c): c is Captured => c !== undefined);
}
