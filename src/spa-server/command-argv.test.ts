import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WORDS, quoteArgv, sameArgv, splitCommand } from './command-argv.js';

function argv(text: string): readonly string[] {
  const r = splitCommand(text);
  assert.ok(r.ok, `${JSON.stringify(text)}: ${r.ok ? '' : r.error}`);
  return r.argv;
}

function error(text: string): string {
  const r = splitCommand(text);
  assert.ok(!r.ok, `${JSON.stringify(text)} split into ${JSON.stringify(r.ok && r.argv)}`);
  return r.error;
}

test('words at spaces; quotes and backslashes as documented', () => {
  assert.deepEqual(argv('/usr/bin/id -u'), ['/usr/bin/id', '-u']);
  assert.deepEqual(argv('  touch   /tmp/a  '), ['touch', '/tmp/a'], 'runs of spaces, leading and trailing');
  assert.deepEqual(argv(`echo 'a b' "c d"`), ['echo', 'a b', 'c d']);
  assert.deepEqual(argv(`echo 'it''s'`), ['echo', 'its'], 'adjacent parts are one word');
  assert.deepEqual(argv(`echo a'b'"c"d`), ['echo', 'abcd']);
  assert.deepEqual(argv(`echo "say \\"hi\\" \\\\ \\n"`), ['echo', 'say "hi" \\ \\n'], 'in "…" only \\" and \\\\ are escapes');
  assert.deepEqual(argv(`echo 'a\\b'`), ['echo', 'a\\b'], "'…' is literal");
  assert.deepEqual(argv('echo a\\ b \\;'), ['echo', 'a b', ';'], '\\ outside quotes makes the next character literal');
  assert.deepEqual(argv(`echo '' ""`), ['echo', '', ''], 'empty quotes are empty words');
  assert.deepEqual(argv(`echo ';|&$(x)*?~#!' "\`"`), ['echo', ';|&$(x)*?~#!', '`'], 'quoted shell syntax is plain text');
  assert.deepEqual(argv('logger -t spa user=alice,x:y%z+w@v'), ['logger', '-t', 'spa', 'user=alice,x:y%z+w@v']);
  assert.deepEqual(argv('echo ünïcødé'), ['echo', 'ünïcødé']);
});

test('hostile inputs are refused with the reason, never passed on', () => {
  assert.match(error(''), /empty command/);
  assert.match(error('    '), /empty command/);
  assert.match(error("'' x"), /empty program name/);
  assert.match(error('rm -rf /; id'), /unquoted ; at position 9 is shell syntax, and commands run without a shell/);
  for (const c of [';', '&', '|', '<', '>', '(', ')', '$', '`', '*', '?', '[', ']', '{', '}', '~', '#', '!']) {
    assert.match(error(`echo a${c}b`), new RegExp(`unquoted \\${c} at position 7`), c);
  }
  assert.match(error('echo $(id)'), /unquoted \$/);
  assert.match(error('echo `id`'), /unquoted `/);
  assert.match(error('cat </etc/shadow'), /unquoted </);
  assert.match(error('id && reboot'), /unquoted &/);
  assert.match(error('ls *'), /unquoted \*/);
  assert.match(error('cd ~'), /unquoted ~/);
  assert.match(error('echo a\0b'), /control character U\+0000 at position 7; expected printable text/);
  assert.match(error("echo 'a\0b'"), /control character U\+0000/, 'quoted too');
  assert.match(error('echo a\nreboot'), /control character U\+000A/);
  assert.match(error('echo\ta'), /control character U\+0009/);
  assert.match(error('echo \x1b[31m'), /control character U\+001B/);
  assert.match(error('echo \x7f'), /control character U\+007F/);
  assert.match(error('echo \u0085'), /control character U\+0085/);
  assert.match(error("echo 'open"), /unterminated ' quote at position 6/);
  assert.match(error('echo "open'), /unterminated " quote at position 6/);
  assert.match(error('echo "a\\"'), /unterminated " quote/, 'an escaped closing quote does not close');
  assert.match(error('echo a\\'), /a \\ at the end escapes nothing/);
  assert.match(error('./run.sh'), /the program "\.\/run\.sh" is a relative path; expected an absolute path or a name found in PATH/);
  assert.match(error('bin/tool x'), /relative path/);
  assert.match(error('../../bin/sh'), /relative path/);
  assert.deepEqual(argv(Array(MAX_WORDS).fill('x').join(' ')).length, MAX_WORDS);
  assert.match(error(Array(MAX_WORDS + 1).fill('x').join(' ')), /more than 64 words/);
  assert.match(error('x ' + 'a '.repeat(10_000)), /more than 64 words/, 'stops early on a long input');
});

test('quoteArgv writes back text that splits into the same argv; sameArgv compares words', () => {
  for (const a of [['/bin/echo', 'a b', "it's", '', '$x;y', 'plain-1.2:3', 'ü']]) {
    assert.deepEqual(argv(quoteArgv(a)), a);
  }
  assert.equal(quoteArgv(['/usr/bin/id', '-u']), '/usr/bin/id -u');
  assert.equal(sameArgv(['a', 'b'], ['a', 'b']), true);
  assert.equal(sameArgv(['a', 'b'], ['a', 'b', '']), false);
  assert.equal(sameArgv(['a b'], ['a', 'b']), false);
});

test('random inputs (seeded): never throws; every split round-trips through quoteArgv and holds no control character', () => {
  let seed = 0x2545f491;
  const next = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 0x1_0000_0000; };
  const alphabet = ['a', 'Z', '0', '/', '-', ' ', ' ', "'", '"', '\\', ';', '$', '`', '|', '*', '\t', '\n', '\0', 'é', '=', ',', '.'];
  let splits = 0;
  for (let i = 0; i < 20_000; i++) {
    // Mostly harmless characters, so that many inputs split and the round trip is exercised.
    const pick = () => (next() < 0.8 ? 'ab/ -é='[Math.floor(next() * 7)]! : alphabet[Math.floor(next() * alphabet.length)]!);
    const text = Array.from({ length: Math.floor(next() * 40) }, pick).join('');
    const r = splitCommand(text);
    if (!r.ok) { assert.equal(typeof r.error, 'string'); continue; }
    splits++;
    assert.ok(r.argv.length >= 1 && r.argv.length <= MAX_WORDS);
    for (const w of r.argv) assert.doesNotMatch(w, /[\x00-\x1f\x7f-\x9f]/, JSON.stringify(text));
    const again = splitCommand(quoteArgv(r.argv));
    assert.ok(again.ok && sameArgv(again.argv, r.argv), `${JSON.stringify(text)} -> ${JSON.stringify(r.argv)} -> ${quoteArgv(r.argv)}`);
  }
  assert.ok(splits > 2000, `only ${splits} inputs split; the generator is too hostile to test the round trip`);
});
