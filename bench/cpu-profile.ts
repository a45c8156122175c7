// Where a profiled Portcullis spent its CPU: self time per function from a
// V8 .cpuprofile (node --cpu-prof), heaviest first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProfileEntry {
  readonly name: string;
  /** file:line, shortened to the path inside the repository or node_modules. */
  readonly where: string;
  readonly selfMs: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly top: readonly ProfileEntry[];
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export function summarizeProfile(json: string, file: string, topN = 15): ProfileSummary {
  const p = JSON.parse(json) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  // Each sample's time is the delta to the next one.
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, deltas[i + 1] ?? 0));
  }
  const totals = new Map<string, { name: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)?.callFrame;
    // Idle time is not CPU time.
    if (!f || f.functionName === '(idle)') continue;
    const name = f.functionName || (f.url ? '(anonymous)' : '(native)');
    const where = f.url ? `${shorten(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const t = totals.get(key) ?? { name, where, us: 0 };
    t.us += us;
    totals.set(key, t);
  }
  const totalUs = [...totals.values()].reduce((a, t) => a + t.us, 0);
  const top = [...totals.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map((t) => ({ name: t.name, where: t.where, selfMs: t.us / 1000, share: totalUs > 0 ? t.us / totalUs : 0 }));
  return { file, totalMs: totalUs / 1000, top };
}

/** The newest .cpuprofile in `dir`. */
export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const last = files[files.length - 1];
  return last === undefined ? undefined : join(dir, last);
}

export function readProfile(file: string, topN?: number): ProfileSummary {
  return summarizeProfile(readFileSync(file, 'utf8'), file, topN);
}

function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const i = Math.max(path.lastIndexOf('/dist/'), path.lastIndexOf('/node_modules/'));
  return i >= 0 ? path.slice(i + 1) : path;
}
