// `npm run fuzz` (node dist/src/fuzz/cli.js): fuzz each selected target for
// a time budget in a worker thread under a watchdog, print executions/s and
// findings, exit 1 if anything was found.
//
//   --seconds N     per target (default 60)
//   --target NAME   repeatable or comma-separated; spa = every spa-* target (default: all)
//   --seed N        the first worker's seed (default: fresh, printed)
//   --slow-ms N     an input slower than this is a finding (default 1000)
//   --hang-ms N     no execution finished for this long: the worker is stopped, the input saved (default 10000)
//   --replay FILE   run one saved input against --target, print the outcome or the failure
//   --list          the targets and their contracts
//   --export-seeds  write each target's built-in seeds to fuzz/corpus/<target>/ (seed-<hash>)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOne } from './engine.js';
import { FUZZ_ROOT, inputDir, inputId } from './corpus-files.js';
import { fuzzTarget } from './watchdog.js';
import { freshSeed } from './rng.js';
import { selectTargets, TARGETS } from './targets/index.js';
import type { Target } from './target.js';

interface Options {
  seconds: number;
  targets: string[];
  seed: number | undefined;
  slowMs: number;
  hangMs: number;
  replay: string | undefined;
  list: boolean;
  exportSeeds: boolean;
}

function parseArgs(argv: readonly string[]): Options | string {
  const o: Options = { seconds: 60, targets: [], seed: undefined, slowMs: 1000, hangMs: 10_000, replay: undefined, list: false, exportSeeds: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => argv[++i];
    const num = (name: string): number | string => {
      const v = value();
      const n = Number(v);
      return v !== undefined && /^[0-9]+(\.[0-9]+)?$/.test(v) ? n : `${name} needs a number, got ${String(v)}`;
    };
    let n: number | string;
    switch (a) {
      case '--seconds': if (typeof (n = num(a)) === 'string') return n; o.seconds = n; break;
      case '--seed': if (typeof (n = num(a)) === 'string') return n; o.seed = n >>> 0; break;
      case '--slow-ms': if (typeof (n = num(a)) === 'string') return n; o.slowMs = n; break;
      case '--hang-ms': if (typeof (n = num(a)) === 'string') return n; o.hangMs = n; break;
      case '--target': {
        const v = value();
        if (!v) return '--target needs a name';
        o.targets.push(...v.split(',').filter((x) => x !== ''));
        break;
      }
      case '--replay': o.replay = value(); if (!o.replay) return '--replay needs a file'; break;
      case '--list': o.list = true; break;
      case '--export-seeds': o.exportSeeds = true; break;
      default: return `unknown argument ${a}; expected --seconds N, --target NAME, --seed N, --slow-ms N, --hang-ms N, --replay FILE, --list or --export-seeds`;
    }
  }
  return o;
}

function replay(file: string, targets: readonly Target[]): number {
  const t = targets[0];
  if (!t || targets.length !== 1) {
    console.error('fuzz: --replay needs --target naming exactly one target');
    return 2;
  }
  const input = new Uint8Array(readFileSync(file));
  const r = runOne(t, input);
  if ('label' in r) {
    console.log(`${t.name}: passes (outcome: ${r.label})`);
    return 0;
  }
  console.log(`${t.name}: ${r.failure.kind}\n${r.failure.stack}`);
  return 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const o = parseArgs(argv);
  if (typeof o === 'string') {
    console.error(`fuzz: ${o}`);
    return 2;
  }
  if (o.list) {
    for (const t of TARGETS) console.log(`${t.name}\n  ${t.contract}\n`);
    return 0;
  }
  const targets = selectTargets(o.targets);
  if (typeof targets === 'string') {
    console.error(`fuzz: ${targets}`);
    return 2;
  }
  if (o.replay) return replay(o.replay, targets);
  if (o.exportSeeds) {
    for (const t of targets) {
      const dir = inputDir('corpus', t.name);
      mkdirSync(dir, { recursive: true });
      const seeds = t.seeds();
      for (const s of seeds) writeFileSync(join(dir, `seed-${inputId(s)}`), s);
      console.log(`${t.name}: ${seeds.length} seeds in ${dir}`);
    }
    return 0;
  }
  const seed = o.seed ?? freshSeed();
  console.log(`fuzz: seed ${seed}, ${o.seconds} s per target, targets ${targets.map((t) => t.name).join(', ')}`);
  let found = 0;
  for (const t of targets) {
    const r = await fuzzTarget(t, { ...o, log: (l) => console.log(l) }, seed);
    found += r.findings.length;
    const rate = r.ms > 0 ? Math.round(r.execs / (r.ms / 1000)) : 0;
    console.log(`${t.name}: ${r.execs} executions in ${(r.ms / 1000).toFixed(1)} s, ${rate} exec/s, ${r.outcomes} distinct outcomes, `
      + `${r.findings.length} finding(s) (seed${r.seeds.length > 1 ? 's' : ''} ${r.seeds.join(', ')})`);
  }
  if (found > 0) console.log(`fuzz: ${found} finding(s) saved under ${FUZZ_ROOT}crashes/; once fixed, move each .input to fuzz/regressions/<target>/`);
  return found > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
