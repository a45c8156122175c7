// Samples a process (memory, CPU) and an interface's packet counter at a
// fixed interval, in the background, until stopped.
import { readCpu, readNet, readRssKb, type CpuTicks } from './procfs.js';

export interface Sample {
  /** performance.now() when taken. */
  readonly at: number;
  readonly rssKb: number;
  readonly cpu: CpuTicks;
  readonly rxPackets: number;
}

export class Sampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** `pid` is sampled; `netPid` is any process in the namespace holding `iface`. */
  constructor(private readonly pid: number, private readonly netPid: number, private readonly iface: string, private readonly everyMs = 100) {}

  start(): this {
    this.take();
    this.timer = setInterval(() => this.take(), this.everyMs);
    return this;
  }

  stop(): Sample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.take();
    return this.samples;
  }

  /** Takes one sample now (also used for before/after points); undefined once the process is gone. */
  take(): Sample | undefined {
    try {
      const s = { at: performance.now(), rssKb: readRssKb(this.pid), cpu: readCpu(this.pid), rxPackets: readNet(this.netPid, this.iface).rxPackets };
      this.samples.push(s);
      return s;
    } catch {
      return undefined;
    }
  }

  peakRssKb(from = 0, to = Infinity): number {
    return Math.max(...this.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rssKb));
  }
}

export interface Burst {
  readonly packets: number;
  readonly seconds: number;
  readonly pps: number;
}

/**
 * The packet rate of a burst seen in counter samples: from the last sample
 * before the counter started to climb to the first that saw its final value.
 * `baseline` packets (legitimate traffic) are subtracted.
 */
export function burstRate(samples: ReadonlyArray<{ at: number; rxPackets: number }>, baseline = 0): Burst {
  if (samples.length < 2) return { packets: 0, seconds: 0, pps: NaN };
  const first = samples[0] as { at: number; rxPackets: number };
  const last = samples[samples.length - 1] as { at: number; rxPackets: number };
  const total = last.rxPackets - first.rxPackets;
  // A few stray packets (ARP, knocks) do not start the burst.
  const noise = Math.max(5, total * 0.001);
  let start = 0;
  while (start + 1 < samples.length && (samples[start + 1] as { rxPackets: number }).rxPackets - first.rxPackets <= noise) start++;
  let end = samples.length - 1;
  while (end > 0 && last.rxPackets - (samples[end - 1] as { rxPackets: number }).rxPackets <= noise) end--;
  const packets = Math.max(0, total - baseline);
  const seconds = Math.max(0, ((samples[end] as { at: number }).at - (samples[start] as { at: number }).at) / 1000);
  return { packets, seconds, pps: seconds > 0 ? packets / seconds : NaN };
}
