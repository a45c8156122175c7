// The CI fuzz budget: every regression case replays clean, then each target
// runs for a fixed budget with a fixed seed (the same inputs every run) and
// for a shorter one with a fresh seed (new inputs every run; the seed is in
// the failure message, so `npm run fuzz -- --seed N --target T` reproduces
// it). About 16 s in all. Longer runs: `npm run fuzz`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { fuzz, runOne, type Finding } from './engine.js';
import { inputId, loadInputs, saveFinding } from './corpus-files.js';
import { freshSeed } from './rng.js';
import { TARGETS } from './targets/index.js';

const FIXED_SEED = 20261201;
const FIXED_MS = 1200;
const FRESH_MS = 1000;
/** Generous: the machine is shared; the CLI uses 1000 ms and a watchdog for real hangs. */
const SLOW_MS = 3000;

function report(findings: readonly Finding[]): string {
  return findings.map((f) => {
    const path = saveFinding(f);
    return `${f.target} ${f.kind} (seed ${f.seed}, execution ${f.exec}): ${f.message.split('\n')[0]}\n`
      + `  input ${JSON.stringify(Buffer.from(f.input).toString('latin1'))}\n  saved to ${path}\n${f.stack}`;
  }).join('\n\n');
}

for (const target of TARGETS) {
  test(`fuzz ${target.name}: every regression case passes`, () => {
    for (const { path, bytes } of loadInputs('regressions', target.name)) {
      const t0 = performance.now();
      const r = runOne(target, bytes);
      const ms = performance.now() - t0;
      assert.ok('label' in r, `${path} (${inputId(bytes)}) fails again:\n${'failure' in r ? r.failure.stack : ''}`);
      assert.ok(ms < SLOW_MS, `${path} took ${ms.toFixed(0)} ms`);
    }
  });

  test(`fuzz ${target.name}: ${FIXED_MS} ms with seed ${FIXED_SEED}, ${FRESH_MS} ms with a fresh seed`, () => {
    const corpus = [...loadInputs('corpus', target.name), ...loadInputs('regressions', target.name)].map((f) => f.bytes);
    for (const [seed, budgetMs] of [[FIXED_SEED, FIXED_MS], [freshSeed(), FRESH_MS]] as const) {
      const r = fuzz(target, { seed, budgetMs, slowMs: SLOW_MS, corpus });
      assert.equal(r.findings.length, 0, `fuzz ${target.name} with seed ${seed}:\n${report(r.findings)}\n\n`
        + `reproduce: npm run fuzz -- --target ${target.name} --seed ${seed}`);
      assert.ok(r.execs > 20, `only ${r.execs} executions in ${budgetMs} ms`);
    }
  });
}
