// The kernel's timestamp of each knock's last packet, on the interface the
// daemons capture from: tcpdump in the server namespace, nanosecond stamps,
// a filter that passes only SYNs to the last sequence port (never the flood,
// which aims at the first port). It also counts what it dropped.
import type { Lab, LabProcess } from '../test/e2e/lab.js';
import type { WallClock } from './wall-clock.js';
import { onTimedLines } from './timed-lines.js';

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

export class KnockCapture {
  private readonly syns: CapturedSyn[] = [];

  private constructor(private readonly proc: LabProcess) {}

  static async start(lab: Lab, clock: WallClock, port: number): Promise<KnockCapture> {
    const filter = `tcp dst port ${port} and dst host ${lab.server.ip4} and tcp[tcpflags] & tcp-syn != 0`;
    // A short snap length and a 16 MiB buffer: in immediate mode libpcap's
    // ring has one slot per snap length, so the default (256 KiB a packet,
    // 2 MiB) holds about 8 packets and a burst of knocks overflows it.
    const argv = ['tcpdump', '-i', lab.server.iface, '-n', '-l', '--immediate-mode', '--time-stamp-precision=nano', '-tt', '-s', '128', '-B', '16384', filter];
    const proc = lab.spawn('server', argv, 'tcpdump');
    const capture = new KnockCapture(proc);
    const stdout = proc.child.stdout;
    if (!stdout) throw new Error('tcpdump has no stdout');
    onTimedLines(stdout, clock, (line) => {
      const syn = parseTcpdumpLine(line);
      if (syn) capture.syns.push(syn);
    });
    // Printed once the filter is attached.
    await proc.waitForLine(/^listening on /, 10_000);
    return capture;
  }

  /** The first SYN from `src` stamped at or after `since`, waiting up to `timeoutMs` for tcpdump to print it. */
  async firstFrom(src: string, since: number, timeoutMs = 1000): Promise<CapturedSyn | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.syns.find((s) => s.src === src && s.at >= since);
      if (hit || performance.now() > deadline) return hit;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The first SYN from `src` stamped at or after `since` that tcpdump has printed so far. */
  seenFrom(src: string, since: number): CapturedSyn | undefined {
    return this.syns.find((s) => s.src === src && s.at >= since);
  }

  /** tcpdump's own count of packets it dropped, printed when it stops. */
  async stop(): Promise<string> {
    await this.proc.stop('SIGINT');
    return this.proc.find(/packets dropped by kernel/)?.text ?? '';
  }
}
