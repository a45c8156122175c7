// Test support: capture loopback traffic with tcpdump and decode just enough
// of each frame (IPv4/IPv6, TCP flags, UDP and ICMP echo data) to check what
// the knock client put on the wire. Used by the client's real-socket tests.
import { spawn, spawnSync, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';

export interface Seen {
  readonly family: 4 | 6;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly dstPort: number;
  /** TCP flag byte (0 for other protocols). */
  readonly flags: number;
  /** UDP payload, or the data of an ICMP echo request / reply. */
  readonly data: Buffer;
  /** ICMP type (8 / 128 = echo request). */
  readonly icmpType: number;
}

/** Why captures cannot run here, or undefined if they can. */
export function captureUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'loopback captures are written for Linux';
  if (process.getuid?.() !== 0) return 'tcpdump on lo needs root';
  const probe = spawnSync('tcpdump', ['--version'], { stdio: 'ignore' });
  if (probe.error) return 'tcpdump is not installed';
  return undefined;
}

/** Captures on lo while `act` runs, plus `settleMs` for stragglers, and decodes the frames. */
export async function captureLoopback(filter: string, act: () => Promise<void>, settleMs = 300): Promise<Seen[]> {
  // The pcap stream goes to stdout: no file for tcpdump to write after it drops root.
  // --immediate-mode: without it packets wait in the kernel ring until a block fills or times out.
  const tcpdump = spawn('tcpdump', ['-i', 'lo', '-nn', '--immediate-mode', '-U', '-w', '-', filter], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  tcpdump.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exited = new Promise<void>((resolve) => { tcpdump.on('exit', resolve); tcpdump.on('error', () => resolve()); });
  try {
    await listening(tcpdump);
    await act();
    await delay(settleMs);
  } finally {
    tcpdump.kill('SIGINT');
    await exited;
  }
  return decodePcap(Buffer.concat(chunks));
}

async function listening(tcpdump: ChildProcessWithoutNullStreams | ChildProcessByStdio<null, Readable, Readable>): Promise<void> {
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    tcpdump.on('error', (e) => reject(new Error(`cannot run tcpdump: ${e.message}`)));
    tcpdump.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('listening on')) resolve();
    });
  });
  const timeout = delay(5_000, undefined, { ref: false }).then(() => { throw new Error(`tcpdump did not start: ${text}`); });
  await Promise.race([ready, timeout]);
}

function decodePcap(buf: Buffer): Seen[] {
  const le = buf.readUInt32LE(0) === 0xa1b2c3d4 || buf.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (at: number): number => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const linkHeader: Record<number, number> = { 1: 14, 113: 16, 276: 20 };
  const skip = linkHeader[u32(20)];
  if (skip === undefined) throw new Error(`unexpected link type ${u32(20)}`);
  const seen: Seen[] = [];
  for (let at = 24; at + 16 <= buf.length;) {
    const len = u32(at + 8);
    const frame = buf.subarray(at + 16, at + 16 + len);
    at += 16 + len;
    const packet = decodeIp(frame.subarray(skip));
    if (packet) seen.push(packet);
  }
  return seen;
}

function decodeIp(ip: Buffer): Seen | undefined {
  const version = ip[0]! >> 4;
  let proto: number;
  let body: Buffer;
  if (version === 4) {
    proto = ip[9]!;
    body = ip.subarray((ip[0]! & 0x0f) * 4, ip.readUInt16BE(2));
  } else if (version === 6) {
    proto = ip[6]!;
    body = ip.subarray(40, 40 + ip.readUInt16BE(4));
  } else {
    return undefined;
  }
  const family = version === 4 ? 4 : 6;
  if (proto === 6) return { family, proto: 'tcp', dstPort: body.readUInt16BE(2), flags: body[13]!, data: Buffer.alloc(0), icmpType: 0 };
  if (proto === 17) return { family, proto: 'udp', dstPort: body.readUInt16BE(2), flags: 0, data: body.subarray(8), icmpType: 0 };
  if (proto === 1 || proto === 58) return { family, proto: 'icmp', dstPort: 0, flags: 0, data: body.subarray(8), icmpType: body[0]! };
  return undefined;
}
