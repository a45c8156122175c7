import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzTarget } from './watchdog.js';
import { hangTarget } from './testing.js';

test('the watchdog stops a worker stuck in an infinite loop and saves the input', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'fuzz-watchdog-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const lines: string[] = [];
  const r = await fuzzTarget(hangTarget, {
    seconds: 4, slowMs: 1000, hangMs: 1000, root,
    module: new URL('./testing-hang.js', import.meta.url).href, log: (l) => lines.push(l),
  }, 5);
  assert.ok(r.findings.length >= 1 && r.findings.every((f) => f.startsWith('hang: ')), JSON.stringify(r.findings));
  // The replacement worker got the next seed.
  assert.deepEqual(r.seeds.slice(0, 2), [5, 6]);
  const dir = join(root, 'crashes', 'hang');
  const inputs = readdirSync(dir).filter((n) => n.endsWith('.input'));
  assert.ok(inputs.length >= 1);
  assert.equal(readFileSync(join(dir, inputs[0]!), 'latin1'), 'H');
  assert.match(readFileSync(join(dir, inputs[0]!.replace(/\.input$/, '.report')), 'utf8'), /^target: hang\nkind: hang\nseed: [5-9]\n/);
});
