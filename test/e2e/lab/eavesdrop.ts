// An eavesdropper on the path: tcpdump on the server's segment records what
// a legitimate client sends, so an attack test can send it again byte for byte.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../lab.js';
import { capturedPackets, type Captured } from './pcap-file.js';
import { sendFrames, type SendResult } from './frame-sender.js';

let recordings = 0;

export interface Recording {
  /** Resolves once tcpdump has seen `count` packets (or rejects after the time limit). */
  readonly packets: Promise<Captured[]>;
}

/** Starts tcpdump on the server's interface for `count` packets matching `filter` (tcpdump's syntax, as argv words). */
export async function eavesdrop(lab: Lab, filter: readonly string[], count: number, timeoutMs = 20_000): Promise<Recording> {
  const file = join(lab.tmp, `eavesdrop-${++recordings}.pcap`);
  const proc = lab.spawn('server', ['tcpdump', '-i', lab.server.iface, '-n', '-U', '-s', '0', '-c', String(count), '-w', file, ...filter], 'tcpdump');
  await proc.waitForLine(/listening on/, 10_000);
  const packets = (async () => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const status = await proc.exited;
    clearTimeout(timer);
    const got = capturedPackets(readFileSync(file));
    if (status.code !== 0 || got.length < count) throw new Error(`tcpdump recorded ${got.length} of ${count} packets (${JSON.stringify(status)})\n${proc.output()}`);
    return got;
  })();
  return { packets };
}

/** Sends captured frames again from `role`'s interface, with `role`'s MAC as the source (the IP source stays the victim's). */
export function replayFrames(lab: Lab, role: string, srcMac: string, packets: readonly Captured[]): Promise<SendResult> {
  const mac = Buffer.from(srcMac.split(':').map((h) => parseInt(h, 16)));
  const frames = packets.map((p) => {
    const f = Buffer.from(p.frame);
    mac.copy(f, 6);
    return f;
  });
  return sendFrames(lab, role, frames, { count: frames.length, seconds: 10, rate: 0 });
}
