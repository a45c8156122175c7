// The kernel's timestamp of each knock's last packet, on the interface the
// daemons capture from: tcpdump in the server namespace, nanosecond stamps,
// a filter that passes only SYNs to the last sequence port (never the flood,
// which aims at the first port). It also counts what it dropped.
import type { Lab } from '../test/e2e/lab.js';
import type { WallClock } from './wall-clock.js';
import { TcpdumpCapture } from './tcpdump-capture.js';

export interface CapturedSyn {
  /** Kernel receive time, wall-clock milliseconds (with the nanoseconds as a fraction). */
  readonly at: number;
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
}

// "1795334135.361859108 IP 10.227.2.2.37854 > 10.227.2.1.9000: Flags [S], ..."
const LINE = /^(\d+)\.(\d{9}) IP (\d+\.\d+\.\d+\.\d+)\.\d+ > (\d+\.\d+\.\d+\.\d+)\.(\d+): Flags \[S\]/;

export function parseTcpdumpLine(line: string): CapturedSyn | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return { at: Number(m[1]) * 1000 + Number(m[2]) / 1e6, src: m[3] as string, dst: m[4] as string, dport: Number(m[5]) };
}

/** SYNs to the last sequence port: the knocks' last packets. */
export type KnockCapture = TcpdumpCapture<CapturedSyn>;

export const KnockCapture = {
  start(lab: Lab, clock: WallClock, port: number): Promise<KnockCapture> {
    const filter = `tcp dst port ${port} and dst host ${lab.server.ip4} and tcp[tcpflags] & tcp-syn != 0`;
    return TcpdumpCapture.start(lab, clock, filter, parseTcpdumpLine, 'tcpdump');
  },
};
