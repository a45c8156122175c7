// Wall-clock time with sub-millisecond resolution, comparable with the
// kernel's packet timestamps (CLOCK_REALTIME, as tcpdump prints them).
// Date.now() has whole milliseconds; performance.now() is finer but counts
// from an arbitrary origin. Calibrating at a tick of Date.now() ties the two
// together to within a loop iteration (well under a microsecond).

export class WallClock {
  private offset = 0;

  constructor() {
    this.calibrate();
  }

  /** Spins until Date.now() ticks (at most 1 ms) and re-anchors there. */
  calibrate(): void {
    const start = Date.now();
    let now = start;
    let perf = performance.now();
    while (now === start) {
      perf = performance.now();
      now = Date.now();
    }
    this.offset = now - perf;
  }

  /** Milliseconds since the epoch, with a fraction. */
  now(): number {
    return this.offset + performance.now();
  }

  /** Converts a performance.now() reading to wall-clock milliseconds. */
  fromPerf(perf: number): number {
    return this.offset + perf;
  }
}
