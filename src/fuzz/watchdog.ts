// Runs one target in a worker thread (worker.ts) under a watchdog: if the
// execution counter in shared memory stops moving for hangMs, the worker is
// terminated (which interrupts even a tight loop), the input it was running
// is saved as a hang, and a fresh worker with the next seed carries on.
import { Worker } from 'node:worker_threads';
import { FUZZ_ROOT, saveFinding } from './corpus-files.js';
import type { Target } from './target.js';
import { SHARED_HEADER, type WorkerJob, type WorkerMessage } from './worker-protocol.js';

export interface WatchOptions {
  readonly seconds: number;
  readonly slowMs: number;
  readonly hangMs: number;
  /** The fuzz/ folder to read corpora from and save findings to. */
  readonly root?: string;
  /** A module URL exporting `target`, instead of the registry (tests plant targets this way). */
  readonly module?: string;
  readonly log: (line: string) => void;
}

export interface Result {
  execs: number;
  ms: number;
  outcomes: number;
  findings: string[];
  seeds: number[];
}

/** One worker for what is left of the budget; resolves when it is done or was stopped as hung. */
function runWorker(t: Target, seed: number, budgetMs: number, o: WatchOptions, res: Result): Promise<'done' | 'hang'> {
  const shared = new SharedArrayBuffer(SHARED_HEADER + t.maxLen + 16);
  const counter = new Int32Array(shared, 0, 2);
  const job: WorkerJob = { target: t.name, seed, budgetMs, slowMs: o.slowMs, shared, root: o.root ?? FUZZ_ROOT, ...(o.module ? { module: o.module } : {}) };
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job });
  res.seeds.push(seed);
  return new Promise((resolve, reject) => {
    let last = -1;
    let lastChange = Date.now();
    let hung = false;
    const watchdog = setInterval(() => {
      const now = Atomics.load(counter, 0);
      if (now !== last) {
        last = now;
        lastChange = Date.now();
        return;
      }
      if (Date.now() - lastChange < o.hangMs) return;
      hung = true;
      clearInterval(watchdog);
      const input = new Uint8Array(shared, SHARED_HEADER, counter[1]).slice();
      const path = saveFinding({
        target: t.name, kind: 'hang', signature: 'hang', message: `no execution finished in ${o.hangMs} ms`, stack: '',
        input, seed, exec: now,
      }, o.root);
      res.findings.push(`hang: ${path}`);
      o.log(`  ${t.name}: HANG (no execution finished in ${o.hangMs} ms), input saved to ${path}`);
      void worker.terminate().then(() => resolve('hang'));
    }, 100);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'finding') {
        res.findings.push(`${m.finding.kind}: ${m.path}`);
        o.log(`  ${t.name}: ${m.finding.kind.toUpperCase()} ${m.finding.message.split('\n')[0]}\n    saved to ${m.path}`);
      } else {
        res.execs += m.stats.execs;
        res.ms += m.stats.ms;
        res.outcomes = Math.max(res.outcomes, m.stats.outcomes);
      }
    });
    worker.on('error', (e) => { clearInterval(watchdog); reject(e); });
    worker.on('exit', () => { clearInterval(watchdog); if (!hung) resolve('done'); });
  });
}

export async function fuzzTarget(t: Target, o: WatchOptions, firstSeed: number): Promise<Result> {
  const res: Result = { execs: 0, ms: 0, outcomes: 0, findings: [], seeds: [] };
  const end = Date.now() + o.seconds * 1000;
  let seed = firstSeed;
  // After a hang, a fresh worker (next seed) carries on with what is left of the budget.
  while (end - Date.now() > 500) {
    const outcome = await runWorker(t, seed, end - Date.now(), o, res);
    if (outcome === 'done') break;
    seed = (seed + 1) >>> 0;
  }
  return res;
}

