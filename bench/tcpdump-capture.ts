// tcpdump in the server namespace on the interface the daemons capture from,
// printing nanosecond kernel timestamps; each line it prints is parsed into a
// stamped packet. Shared by the knock captures and the SPA captures.
import type { Lab, LabProcess } from '../test/e2e/lab.js';
import type { WallClock } from './wall-clock.js';
import { onTimedLines } from './timed-lines.js';

export interface StampedPacket {
  /** Kernel receive time, wall-clock milliseconds (with the nanoseconds as a fraction). */
  readonly at: number;
  readonly src: string;
}

export class TcpdumpCapture<T extends StampedPacket> {
  private readonly seen: T[] = [];

  private constructor(private readonly proc: LabProcess) {}

  /** Starts tcpdump with `filter` and resolves once the filter is attached. */
  static async start<T extends StampedPacket>(lab: Lab, clock: WallClock, filter: string, parse: (line: string) => T | undefined, label: string): Promise<TcpdumpCapture<T>> {
    // A short snap length and a 16 MiB buffer: in immediate mode libpcap's
    // ring has one slot per snap length, so the default (256 KiB a packet,
    // 2 MiB) holds about 8 packets and a burst overflows it.
    const argv = ['tcpdump', '-i', lab.server.iface, '-n', '-l', '--immediate-mode', '--time-stamp-precision=nano', '-tt', '-s', '128', '-B', '16384', filter];
    const proc = lab.spawn('server', argv, label);
    const capture = new TcpdumpCapture<T>(proc);
    const stdout = proc.child.stdout;
    if (!stdout) throw new Error('tcpdump has no stdout');
    onTimedLines(stdout, clock, (line) => {
      const p = parse(line);
      if (p) capture.seen.push(p);
    });
    // Printed once the filter is attached.
    await proc.waitForLine(/^listening on /, 10_000);
    return capture;
  }

  /** The first packet from `src` stamped at or after `since`, waiting up to `timeoutMs` for tcpdump to print it. */
  async firstFrom(src: string, since: number, timeoutMs = 1000): Promise<T | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.seenFrom(src, since);
      if (hit || performance.now() > deadline) return hit;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The first packet from `src` stamped at or after `since` that tcpdump has printed so far. */
  seenFrom(src: string, since: number): T | undefined {
    return this.seen.find((s) => s.src === src && s.at >= since);
  }

  /** tcpdump's own count of packets it dropped, printed when it stops. */
  async stop(): Promise<string> {
    await this.proc.stop('SIGINT');
    return this.proc.find(/packets dropped by kernel/)?.text ?? '';
  }
}
