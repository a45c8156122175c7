import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { COMMANDS, CONFIG_SECTIONS } from './reference.js';
import { configPage, escape, programPage } from './render-man.js';

const groff = spawnSync('groff', ['--version'], { encoding: 'utf8' }).status === 0;
const noGroff = groff ? false : process.env.CI === 'true' ? false : 'groff is not installed (scripts/setup.sh installs it)';

test('escape protects backslashes and hyphens and keeps the output ASCII', () => {
  assert.equal(escape('a\\b --x'), 'a\\eb \\-\\-x');
  assert.equal(escape('1…3 — →'), '1...3 \\(em \\(->');
});

test('portcullis(8) has every command and option; portcullis.conf(5) every key', () => {
  const page = programPage();
  for (const c of COMMANDS) {
    assert.ok(page.includes(`.SS ${c.name}\n`), c.name);
    for (const o of c.options) assert.ok(page.includes(`\\fB\\-\\-${escape(o.long)}\\fR`), `${c.name} --${o.long}`);
  }
  const conf = configPage();
  for (const s of CONFIG_SECTIONS) for (const k of s.keys) assert.ok(conf.includes(`\\fB${escape(k.key)}\\fR`), k.key);
});

test('the pages are ASCII roff whose every control line is a known man(7) request', () => {
  const known = new Set(['.TH', '.SH', '.SS', '.PP', '.TP', '.br', '.nf', '.fi', '.RS', '.RE', '.nh', '.ad']);
  for (const page of [programPage(), configPage()]) {
    assert.match(page, /^[\x20-\x7e\n]*$/, 'non-ASCII or control characters');
    for (const line of page.split('\n')) {
      if (/^[.']/.test(line)) assert.ok(known.has(line.split(' ')[0]!), `unexpected request: ${line}`);
    }
  }
});

test('groff renders both pages without a warning', { skip: noGroff }, () => {
  for (const [name, page] of [['portcullis.8', programPage()], ['portcullis.conf.5', configPage()]] as const) {
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-rLL=80n'], { input: page, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', `${name}: ${r.stderr}`);
    assert.match(r.stdout, /PORTCULLIS/);
  }
  const text = spawnSync('groff', ['-man', '-Tutf8', '-rLL=80n'], { input: configPage(), encoding: 'utf8' }).stdout.replace(/.\x08/g, '');
  assert.match(text, /Seq_Timeout \(Timeout\) = SECONDS/);
  assert.match(text, /Default: 25\. From knockd\./);
});
