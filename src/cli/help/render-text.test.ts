import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../main.js';
import { COMMANDS } from './reference.js';
import { commandUsage, mainUsage, optionLabel, synopsisWords, wrap } from './render-text.js';

test('wrap breaks between words at the width, with a hanging indent', () => {
  assert.deepEqual(wrap('aaa bbb ccc ddd', 9, '- ', '  '), ['- aaa bbb', '  ccc ddd']);
  assert.deepEqual(wrap('averyveryverylongword x', 8, '', ''), ['averyveryverylongword', 'x']);
});

test('a synopsis wraps between its bracketed groups, never inside one', () => {
  assert.deepEqual(synopsisWords('-A X (-a ADDRESS | -s) [-g LOGFILE] [--a [--b B]]'), ['-A', 'X', '(-a ADDRESS | -s)', '[-g LOGFILE]', '[--a [--b B]]']);
});

test('each usage names every option and operand, without markup, within 79 columns', () => {
  for (const c of COMMANDS) {
    const text = commandUsage(c);
    assert.match(text, new RegExp(`^usage: portcullis ${c.name} `));
    assert.ok(!text.includes('`'), `${c.name}: backticks left in`);
    for (const o of c.options) assert.ok(text.includes(optionLabel(o)), `${c.name}: ${optionLabel(o)} missing`);
    for (const a of c.operands ?? []) assert.ok(text.includes(`  ${a.name}`), `${c.name}: ${a.name} missing`);
    assert.match(text, /-h, --help/);
    for (const l of text.split('\n')) {
      if (l.startsWith('  portcullis ')) continue; // examples are shown whole
      assert.ok(l.length <= 79, `${c.name}: line too long: ${l}`);
    }
  }
});

test('refused options are listed apart, as not supported', () => {
  const spa = commandUsage(COMMANDS.find((c) => c.name === 'spa')!);
  const [accepted, refused] = spa.split('not supported (refused');
  assert.match(refused!, /-R, --resolve-ip-https/);
  assert.doesNotMatch(accepted!, /--resolve-ip-https/);
});

test('portcullis --help lists every command; help CMD is CMD --help', async () => {
  const usage = mainUsage();
  for (const c of COMMANDS) assert.match(usage, new RegExp(`^  ${c.name} +\\S`, 'm'));
  const run = await capture(() => main(['help', 'check']));
  assert.deepEqual(run, { code: 0, out: `${commandUsage(COMMANDS.find((c) => c.name === 'check')!)}\n` });
});

/** Runs `fn` with console.log collected. */
async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const log = console.log;
  console.log = (...args: unknown[]) => { out += `${args.join(' ')}\n`; };
  try {
    return { code: await fn(), out };
  } finally {
    console.log = log;
  }
}

test('every subcommand of the real program answers --help with its reference usage and exit 0', () => {
  const bin = fileURLToPath(new URL('../../../../bin/portcullis', import.meta.url));
  for (const c of COMMANDS) {
    const r = spawnSync(process.execPath, [bin, ...c.name.split(' '), '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${c.name}: ${r.stderr}`);
    assert.equal(r.stdout, `${commandUsage(c)}\n`, c.name);
  }
});
