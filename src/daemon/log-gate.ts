// A token bucket for log lines that an outsider can cause at packet rate
// (stage 1 of a spoofed flood, timeouts, bans). Lines beyond the budget are
// counted, not written, and summarised later: logging never becomes the
// bottleneck of the packet path, and a flood cannot fill the disk.

export class LogGate {
  private tokens: number;
  private last: number;
  private suppressed = 0;

  constructor(private readonly perSecond: number, private readonly burst: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }

  /** Whether one more line may be written now. */
  allow(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.suppressed++;
    return false;
  }

  /** Lines suppressed since the last call. */
  takeSuppressed(): number {
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }
}
