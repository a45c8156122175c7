// The fuzz/ folder: seed corpora (fuzz/corpus/<target>/), regression cases
// (fuzz/regressions/<target>/: every input that ever failed, replayed by the
// CI test) and findings (fuzz/crashes/<target>/: input + report with seed and
// stack). Files hold the raw input bytes; names ending .md or .report and
// dotfiles are notes, not inputs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from './engine.js';

/** The repository's fuzz/ folder (this file runs from dist/src/fuzz/). */
export const FUZZ_ROOT = fileURLToPath(new URL('../../../fuzz/', import.meta.url));

export type Kind = 'corpus' | 'regressions' | 'crashes';

export interface InputFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

function isInput(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('.md') && !name.endsWith('.report');
}

export function inputDir(kind: Kind, target: string, root = FUZZ_ROOT): string {
  return join(root, kind, target);
}

export function loadInputs(kind: Kind, target: string, root = FUZZ_ROOT): InputFile[] {
  const dir = inputDir(kind, target, root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(isInput).sort()
    .map((n) => join(dir, n)).filter((p) => statSync(p).isFile())
    .map((p) => ({ path: p, bytes: new Uint8Array(readFileSync(p)) }));
}

export function inputId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** Writes a finding as <kind>-<hash>.input and .report; returns the input's path. */
export function saveFinding(f: Finding, root = FUZZ_ROOT): string {
  const dir = inputDir('crashes', f.target, root);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${f.kind}-${inputId(f.input)}`);
  writeFileSync(`${base}.input`, f.input);
  writeFileSync(`${base}.report`, [
    `target: ${f.target}`,
    `kind: ${f.kind}`,
    `seed: ${f.seed}`,
    `execution: ${f.exec}`,
    ...(f.ms !== undefined ? [`ms: ${f.ms.toFixed(0)}`] : []),
    `signature: ${f.signature}`,
    `replay: npm run fuzz -- --target ${f.target} --replay ${base}.input`,
    `input (latin1, JSON-escaped): ${JSON.stringify(Buffer.from(f.input).toString('latin1'))}`,
    '',
    f.stack || f.message,
    '',
  ].join('\n'));
  return `${base}.input`;
}
