// What cli.ts and worker.ts pass each other.
import type { Finding, RunStats } from './engine.js';

export interface WorkerJob {
  readonly target: string;
  readonly seed: number;
  readonly budgetMs: number;
  readonly slowMs: number;
  /** Int32 [0] execution counter, [1] input length, then the input bytes from offset 8. */
  readonly shared: SharedArrayBuffer;
  readonly root?: string;
  /** A module URL exporting `target`, instead of the registry. */
  readonly module?: string;
}

export type WorkerMessage =
  | { readonly type: 'finding'; readonly finding: Omit<Finding, 'input'> & { input: Uint8Array }; readonly path: string }
  | { readonly type: 'done'; readonly stats: Omit<RunStats, 'findings'> };

export const SHARED_HEADER = 8;
