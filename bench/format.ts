// Number formatting shared by the console table and the markdown report.

export function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`;
}

export function mb(kb: number | undefined): string {
  return kb === undefined || !Number.isFinite(kb) ? '–' : `${(kb / 1024).toFixed(1)} MB`;
}

export function secs(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(digits)} s`;
}

export function times(r: number): string {
  if (!Number.isFinite(r)) return '–';
  return r >= 10 ? `${r.toFixed(0)}×` : r >= 0.1 ? `${r.toFixed(2)}×` : `${r.toFixed(3)}×`;
}

export function pct(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(0)} %`;
}

export function int(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US');
}

/** A plain-text table with aligned columns (first column left, the rest right). */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** Numbers (every column but the first) are right-aligned unless `left`. */
export function markdownTable(rows: readonly (readonly string[])[], left = false): string {
  const [head, ...body] = rows;
  if (!head) return '';
  const line = (r: readonly string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), `| ${head.map((_, i) => (i === 0 || left ? '---' : '---:')).join(' | ')} |`, ...body.map(line)].join('\n');
}
