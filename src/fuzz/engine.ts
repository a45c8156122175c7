// The fuzz loop: pick a corpus entry, stack a few mutations, run it, time
// it, keep it if it produced a new outcome, record any failure once per
// signature (minimized). Pure apart from the clock: saving findings is the
// caller's job (corpus-files.ts), so tests and the worker share this loop.
import { performance } from 'node:perf_hooks';
import { BYTE_MUTATORS, clip, type MutationContext, type Mutator } from './mutate.js';
import { Rng } from './rng.js';
import { ContractViolation, type Target } from './target.js';

export type FindingKind = 'exception' | 'violation' | 'slow' | 'hang';

export interface Finding {
  readonly target: string;
  readonly kind: FindingKind;
  /** Error class, first line of its message (digits folded) and the first frame: one finding per signature. */
  readonly signature: string;
  readonly message: string;
  readonly stack: string;
  readonly input: Uint8Array;
  readonly seed: number;
  /** Which execution of the run found it. */
  readonly exec: number;
  readonly ms?: number;
}

export interface RunOptions {
  readonly seed: number;
  readonly budgetMs: number;
  readonly maxExecs?: number;
  /** An input that runs longer than this (measured, after the fact) is a `slow` finding. */
  readonly slowMs: number;
  /** The starting corpus: checked-in files and regressions; the target's own seeds are added. */
  readonly corpus: readonly Uint8Array[];
  readonly maxCorpus?: number;
  /** Called with every input just before it runs (the worker's watchdog copies it out). */
  readonly beforeRun?: (input: Uint8Array) => void;
  readonly onFinding?: (f: Finding) => void;
  /** false: keep failing inputs as found instead of shrinking them. */
  readonly minimize?: boolean;
}

export interface RunStats {
  readonly target: string;
  readonly seed: number;
  readonly execs: number;
  readonly ms: number;
  readonly execsPerSec: number;
  readonly outcomes: number;
  readonly corpus: number;
  readonly findings: readonly Finding[];
}

interface Failure {
  readonly kind: FindingKind;
  readonly signature: string;
  readonly message: string;
  readonly stack: string;
}

/** Runs one input and classifies what escaped, if anything. */
export function runOne(target: Target, input: Uint8Array): { label: string } | { failure: Failure } {
  try {
    return { label: target.run(input) };
  } catch (e) {
    return { failure: describeFailure(e) };
  }
}

export function describeFailure(e: unknown): Failure {
  const err = e instanceof Error ? e : new Error(`non-Error thrown: ${String(e)}`);
  const kind: FindingKind = e instanceof ContractViolation ? 'violation' : 'exception';
  const message = err.message;
  const stack = err.stack ?? `${err.name}: ${message}`;
  const frame = stack.split('\n').find((l) => /^\s+at /.test(l))?.trim().replace(/:\d+:\d+\)?$/, '') ?? '';
  const first = message.split('\n')[0]!.replace(/\d+/g, '#').slice(0, 120);
  return { kind, signature: `${err.name}: ${first} ${frame}`, message, stack };
}

/** Normalizes an outcome label so numbers in it do not make every input "new". */
function foldLabel(label: string): string {
  return label.replace(/\d+/g, '#').slice(0, 100);
}

/** Pick a mutator: the target's own by weight, or one of the byte-level ones. */
function chooser(target: Target): (rng: Rng) => Mutator {
  const table: [Mutator, number][] = [...target.mutators.map(([m, w]) => [m, w] as [Mutator, number])];
  const each = target.byteWeight / BYTE_MUTATORS.length;
  for (const m of BYTE_MUTATORS) table.push([m, each]);
  const total = table.reduce((s, [, w]) => s + w, 0);
  return (rng) => {
    let r = (rng.u32() / 4294967296) * total;
    for (const [m, w] of table) {
      r -= w;
      if (r < 0) return m;
    }
    return table[table.length - 1]![0];
  };
}

/** Shrinks a failing input while it fails with the same signature (bounded in runs). */
export function minimize(target: Target, input: Uint8Array, signature: string, maxRuns = 3000, beforeRun?: (input: Uint8Array) => void): Uint8Array {
  let best = input;
  let runs = 0;
  for (let chunk = Math.max(1, best.length >> 1); chunk >= 1 && runs < maxRuns; chunk >>= 1) {
    for (let at = 0; at + chunk <= best.length && runs < maxRuns;) {
      const cand = new Uint8Array(best.length - chunk);
      cand.set(best.subarray(0, at));
      cand.set(best.subarray(at + chunk), at);
      runs++;
      beforeRun?.(cand);
      const r = runOne(target, cand);
      if ('failure' in r && r.failure.signature === signature) best = cand;
      else at += chunk;
    }
  }
  return best;
}

export function fuzz(target: Target, o: RunOptions): RunStats {
  const rng = new Rng(o.seed);
  const maxCorpus = o.maxCorpus ?? 4096;
  const corpus: Uint8Array[] = [...o.corpus, ...target.seeds()].map((c) => clip(c, target.maxLen));
  if (corpus.length === 0) corpus.push(new Uint8Array(0));
  const ctx: MutationContext = { corpus, dictionary: target.dictionary, maxLen: target.maxLen };
  const choose = chooser(target);
  const outcomes = new Set<string>();
  const seen = new Set<string>();
  const findings: Finding[] = [];
  const start = performance.now();
  const deadline = start + o.budgetMs;
  let execs = 0;

  const record = (input: Uint8Array, f: Failure, ms?: number): void => {
    if (seen.has(f.signature)) return;
    seen.add(f.signature);
    const small = o.minimize === false || f.kind === 'slow' ? input : minimize(target, input, f.signature, 3000, o.beforeRun);
    const finding: Finding = { target: target.name, ...f, input: small, seed: o.seed, exec: execs, ...(ms !== undefined ? { ms } : {}) };
    findings.push(finding);
    o.onFinding?.(finding);
  };

  const exec = (input: Uint8Array): void => {
    o.beforeRun?.(input);
    const t0 = performance.now();
    const r = runOne(target, input);
    const ms = performance.now() - t0;
    execs++;
    if ('failure' in r) return record(input, r.failure);
    if (ms > o.slowMs) {
      record(input, { kind: 'slow', signature: `slow: ${foldLabel(r.label)}`, message: `one input took ${ms.toFixed(0)} ms (limit ${o.slowMs} ms)`, stack: '' }, ms);
    }
    // A label is "|"-separated features; an input that shows any new one joins the corpus.
    let fresh = false;
    for (const feature of r.label.split('|')) {
      const f = foldLabel(feature);
      if (!outcomes.has(f)) {
        outcomes.add(f);
        fresh = true;
      }
    }
    if (fresh) {
      if (corpus.length < maxCorpus) corpus.push(input);
      else corpus[rng.below(corpus.length)] = input;
    }
  };

  // Every starting entry once, as is: regressions and seeds must pass unmutated.
  for (const c of [...corpus]) exec(c);
  while (performance.now() < deadline && (o.maxExecs === undefined || execs < o.maxExecs)) {
    let input: Uint8Array;
    if (rng.oneIn(50)) input = rng.bytes(rng.smallLen(target.maxLen));
    else {
      input = rng.pick(corpus);
      const depth = rng.oneIn(3) ? rng.int(2, 8) : 1;
      for (let i = 0; i < depth; i++) input = choose(rng)(rng, input, ctx);
    }
    exec(input);
  }
  const ms = performance.now() - start;
  return {
    target: target.name, seed: o.seed, execs, ms, execsPerSec: Math.round(execs / (ms / 1000)),
    outcomes: outcomes.size, corpus: corpus.length, findings,
  };
}
