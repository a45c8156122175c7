// A process's memory as /proc reports it, for the attack suite's memory
// bounds: resident size now, its peak since start, and a sampler for the
// peak during an attack.
import { readFileSync } from 'node:fs';
import type { LabProcess } from './process.js';
import { sleep } from './run.js';

export interface Memory {
  /** Resident now, kB. */
  readonly rssKb: number;
  /** The peak resident size since the process started, kB. */
  readonly hwmKb: number;
}

export function readMemory(pid: number): Memory {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    if (!m) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/**
 * How far the daemon's RSS may rise above its warmed-up figure under attack.
 * The door tables are allocated whole at start, so they are in that figure
 * already; what may grow is V8's heap (short-lived packet objects, status
 * reports) and the pages of the 32 MiB capture ring as the kernel first
 * fills them. 64 MB is that ring twice over.
 */
export const MEMORY_MARGIN_MB = 64;

/**
 * Samples the daemon's RSS every 250 ms until stop(), which resolves with the
 * peak (kB). Sampling ends by itself when the daemon does.
 */
export function sampleRss(proc: LabProcess, startKb: number): { stop(): Promise<number> } {
  let peak = startKb;
  let sampling = true;
  const loop = (async () => {
    while (sampling && proc.running && proc.pid !== undefined) {
      try {
        peak = Math.max(peak, readMemory(proc.pid).rssKb);
      } catch {
        return; // it exited between the check and the read
      }
      await sleep(250);
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      return peak;
    },
  };
}

export function mb(kb: number): string {
  return `${(kb / 1024).toFixed(1)} MB`;
}
