// A tiny metrics registry. Counters and gauges are read at scrape time from
// numbers the daemon keeps anyway (no work on the packet path); only the
// histogram is fed as things happen, and observe() is O(log buckets).
// Labels are strictly bounded: callers only use door names from the config and
// fixed enums, never addresses.

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export interface HistogramSeries {
  readonly labels: Labels;
  /** Upper bounds, ascending, without +Inf. */
  readonly bounds: readonly number[];
  /** Cumulative counts per bound (observations ≤ bound), then the +Inf count. */
  readonly cumulative: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export type Family =
  | { readonly type: 'counter' | 'gauge'; readonly name: string; readonly help: string; readonly samples: readonly Sample[] }
  | { readonly type: 'histogram'; readonly name: string; readonly help: string; readonly series: readonly HistogramSeries[] };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricsError extends Error {
  readonly code = 'METRICS_DEFINITION';
}

function checkName(name: string, labelNames: readonly string[]): void {
  if (!NAME.test(name)) throw new MetricsError(`invalid metric name ${JSON.stringify(name)}`);
  for (const l of labelNames) {
    if (!LABEL.test(l) || l.startsWith('__') || l === 'le') throw new MetricsError(`${name}: invalid label name ${JSON.stringify(l)}`);
  }
}

/** Fixed-bucket histogram; one series per label set, created up front or on first use of a bounded set. */
export class Histogram {
  readonly bounds: readonly number[];
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(readonly name: string, readonly help: string, bounds: readonly number[], readonly labelNames: readonly string[] = []) {
    checkName(name, labelNames);
    if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!))) {
      throw new MetricsError(`${name}: buckets must be finite and strictly increasing`);
    }
    this.bounds = [...bounds];
  }

  /** Records one value (seconds, bytes…). Negative and NaN values are ignored. */
  observe(value: number, labels: Labels = {}): void {
    if (!(value >= 0)) return;
    const s = this.seriesFor(labels);
    // Binary search for the first bound ≥ value (bucket index = bounds.length for +Inf).
    let lo = 0;
    let hi = this.bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (value <= this.bounds[mid]!) hi = mid; else lo = mid + 1;
    }
    s.counts[lo]!++;
    s.sum += value;
    s.count++;
  }

  /** Makes the series exist (shown with zero counts) before anything is observed. */
  declare(labels: Labels = {}): void {
    this.seriesFor(labels);
  }

  snapshot(): HistogramSeries[] {
    return [...this.series.values()].map((s) => {
      const cumulative: number[] = [];
      let total = 0;
      for (const c of s.counts) cumulative.push((total += c));
      return { labels: s.labels, bounds: this.bounds, cumulative, sum: s.sum, count: s.count };
    });
  }

  private seriesFor(labels: Labels): { labels: Labels; counts: number[]; sum: number; count: number } {
    const key = this.labelNames.map((n) => labels[n] ?? '').join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: Object.fromEntries(this.labelNames.map((n) => [n, labels[n] ?? ''])), counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }
}

type Collect = () => Iterable<Sample>;

/** Families in registration order; counters and gauges are collected by callbacks at scrape time. */
export class Registry {
  private readonly entries: Array<() => Family> = [];
  private readonly names = new Set<string>();

  counter(name: string, help: string, collect: Collect, labelNames: readonly string[] = []): void {
    this.add(name, labelNames, () => ({ type: 'counter', name, help, samples: [...collect()] }));
  }

  gauge(name: string, help: string, collect: Collect, labelNames: readonly string[] = []): void {
    this.add(name, labelNames, () => ({ type: 'gauge', name, help, samples: [...collect()] }));
  }

  histogram(h: Histogram): Histogram {
    this.add(h.name, h.labelNames, () => ({ type: 'histogram', name: h.name, help: h.help, series: h.snapshot() }));
    return h;
  }

  /** Every family's current values. A collector that throws is left out (its error is not the scraper's). */
  collect(): Family[] {
    const out: Family[] = [];
    for (const read of this.entries) {
      try {
        out.push(read());
      } catch {
        // A half-torn-down component: skip its family this scrape.
      }
    }
    return out;
  }

  private add(name: string, labelNames: readonly string[], read: () => Family): void {
    checkName(name, labelNames);
    if (this.names.has(name)) throw new MetricsError(`metric ${name} registered twice`);
    this.names.add(name);
    this.entries.push(read);
  }
}

/** One sample; a helper for collectors. */
export const sample = (value: number, labels: Labels = {}): Sample => ({ labels, value });
