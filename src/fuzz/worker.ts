// One target's fuzz run inside a worker thread, so the main thread's
// watchdog (cli.ts) can stop a real infinite loop. Before each execution
// the input is copied into shared memory with an execution counter: when the
// counter stops moving, the main thread terminates this worker and saves the
// input that was running.
import { parentPort, workerData } from 'node:worker_threads';
import { fuzz } from './engine.js';
import { loadInputs, saveFinding } from './corpus-files.js';
import { targetNamed } from './targets/index.js';
import type { Target } from './target.js';
import { SHARED_HEADER, type WorkerJob, type WorkerMessage } from './worker-protocol.js';


const job = workerData as WorkerJob;
const target: Target | undefined = job.module ? ((await import(job.module)) as { target: Target }).target : targetNamed(job.target);
if (!target || !parentPort) throw new Error(`fuzz worker: no target ${job.target}`);
const port = parentPort;
const counter = new Int32Array(job.shared, 0, 2);
const bytes = new Uint8Array(job.shared, SHARED_HEADER);

const corpus = [...loadInputs('corpus', target.name, job.root), ...loadInputs('regressions', target.name, job.root)].map((f) => f.bytes);
const stats = fuzz(target, {
  seed: job.seed,
  budgetMs: job.budgetMs,
  slowMs: job.slowMs,
  corpus,
  beforeRun: (input) => {
    const n = Math.min(input.length, bytes.length);
    bytes.set(input.subarray(0, n));
    counter[1] = n;
    Atomics.add(counter, 0, 1);
  },
  onFinding: (finding) => {
    const path = saveFinding(finding, job.root);
    port.postMessage({ type: 'finding', finding, path } satisfies WorkerMessage);
  },
});
const { findings: _, ...rest } = stats;
port.postMessage({ type: 'done', stats: rest } satisfies WorkerMessage);
