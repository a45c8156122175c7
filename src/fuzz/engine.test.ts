import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, minimize, runOne } from './engine.js';
import { BYTE_MUTATORS, ascii, text } from './mutate.js';
import { b64Char1, lineMutator, tokenMutator } from './mutate-text.js';
import { Rng } from './rng.js';
import { buggyTarget, slowTarget } from './testing.js';

test('the PRNG is reproducible from its seed and spreads over its range', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 1000 }, () => a.below(10));
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.below(10)));
  for (let d = 0; d < 10; d++) assert.ok(xs.filter((x) => x === d).length > 50, `digit ${d}`);
  assert.notDeepEqual(xs, Array.from({ length: 1000 }, () => new Rng(43).below(10)));
});

test('mutators never modify their input and respect the length limit', () => {
  const rng = new Rng(7);
  const input = ascii('[d]\nsequence = 1,2,3\ncommand = x\n9S6bu7KmxoLcfjFGPXI+G9CBLn5O');
  const before = Uint8Array.from(input);
  const ctx = { corpus: [ascii('other entry\nline2'), new Uint8Array(0)], dictionary: [ascii('TOKEN')], maxLen: 80 };
  const all = [...BYTE_MUTATORS, b64Char1, lineMutator(), tokenMutator(['sequence'])];
  let changed = 0;
  for (let i = 0; i < 3000; i++) {
    const m = all[i % all.length]!;
    const out = m(rng, input, ctx);
    assert.ok(out.length <= 80, `mutator ${i % all.length} gave ${out.length} bytes`);
    if (text(out) !== text(input)) changed++;
  }
  assert.deepEqual(input, before);
  assert.ok(changed > 2500, `${changed} of 3000 mutations changed the input`);
});

test('the engine finds a planted exception and a planted violation, once each, minimized', () => {
  const r = fuzz(buggyTarget, { seed: 1, budgetMs: 5000, maxExecs: 20000, slowMs: 1000, corpus: [] });
  const kinds = r.findings.map((f) => f.kind).sort();
  assert.deepEqual(kinds, ['exception', 'violation'], JSON.stringify(r.findings.map((f) => f.signature)));
  const ex = r.findings.find((f) => f.kind === 'exception')!;
  assert.equal(text(ex.input), 'BUG');
  assert.match(ex.signature, /^TypeError/);
  assert.equal(text(r.findings.find((f) => f.kind === 'violation')!.input), 'VV');
  assert.equal(r.seed, 1);
});

test('a run is reproducible from its seed', () => {
  const a = fuzz(buggyTarget, { seed: 99, budgetMs: 10_000, maxExecs: 3000, slowMs: 1000, corpus: [] });
  const b = fuzz(buggyTarget, { seed: 99, budgetMs: 10_000, maxExecs: 3000, slowMs: 1000, corpus: [] });
  assert.deepEqual(a.findings.map((f) => [f.exec, text(f.input)]), b.findings.map((f) => [f.exec, text(f.input)]));
  assert.equal(a.outcomes, b.outcomes);
});

test('an input over the time limit is a slow finding', () => {
  const r = fuzz(slowTarget(60), { seed: 3, budgetMs: 300, slowMs: 30, corpus: [] });
  assert.ok(r.findings.some((f) => f.kind === 'slow' && text(f.input).startsWith('S')), JSON.stringify(r.findings));
});

test('minimize keeps the failure signature and runOne reports what escaped', () => {
  const long = ascii('aaaaaaaBUGbbbbbbbbb');
  const f = runOne(buggyTarget, long);
  assert.ok('failure' in f);
  assert.equal(text(minimize(buggyTarget, long, f.failure.signature)), 'BUG');
  assert.deepEqual(runOne(buggyTarget, ascii('fine')), { label: 'long' });
});
