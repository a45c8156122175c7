#!/usr/bin/env node
// Runs the compiled tests with Node's test runner.
//   node scripts/run-tests.mjs          unit tests, then end-to-end tests
//   node scripts/run-tests.mjs unit     unit tests only (dist/src/**/*.test.js)
//   node scripts/run-tests.mjs e2e      end-to-end tests only (dist/test/e2e/**/*.test.js)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  let out = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const which = process.argv[2] ?? 'all';
const files = [];
if (which === 'all' || which === 'unit') files.push(...find('dist/src'));
if (which === 'all' || which === 'e2e') files.push(...find('dist/test'));
if (files.length === 0) {
  console.error('run-tests: no test files found; did the build run?');
  process.exit(1);
}
// End-to-end tests each make their own namespaces, so they may run side by side;
// two at a time keeps timing-sensitive tests honest on a 2-core machine.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
