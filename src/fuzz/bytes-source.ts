// Reads typed values out of a fuzz input, so a generator driven by it can be
// mutated like any byte string (libFuzzer's FuzzedDataProvider). Past the
// end every read is 0, so any input is a complete description.

export class ByteSource {
  private at = 0;
  constructor(private readonly data: Uint8Array) {}

  byte(): number {
    return this.at < this.data.length ? this.data[this.at++]! : 0;
  }

  /** An integer in [lo, hi] (hi - lo < 2^32). */
  int(lo: number, hi: number): number {
    const span = hi - lo + 1;
    let v = 0;
    for (let n = span - 1; n > 0; n = Math.floor(n / 256)) v = v * 256 + this.byte();
    return lo + (v % span);
  }

  bool(): boolean {
    return (this.byte() & 1) === 1;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }

  /** A string of 0..max characters from `chars`. */
  string(chars: string, max: number): string {
    const n = this.int(0, max);
    let s = '';
    for (let i = 0; i < n; i++) s += chars[this.int(0, chars.length - 1)]!;
    return s;
  }
}
