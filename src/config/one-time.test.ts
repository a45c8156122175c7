import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listOneTimeSequences, markOneTimeSequenceUsed, parseOneTimeSequences } from './one-time.js';

const FILE = '# header\n\n   \n 2001,2002,2003\n 3001:udp,3002,3003:udp\n4001,4002,4003\n';

test('the first unused line is the current sequence', () => {
  const first = parseOneTimeSequences(FILE);
  assert.equal(first?.lineIndex, 3);
  assert.deepEqual(first?.sequence.map((s) => s.port), [2001, 2002, 2003]);
});

test('commented, empty and unparsable lines are skipped; a trailing comment is dropped', () => {
  const text = '  # used\n#2001,2002\nabc\n7000,70000\n\t5001:udp,5002 # spare\n';
  const first = parseOneTimeSequences(text);
  assert.equal(first?.lineIndex, 4);
  assert.deepEqual(first?.sequence, [{ proto: 'udp', port: 5001 }, { proto: 'tcp', port: 5002 }]);
  assert.equal(listOneTimeSequences(text).length, 1);
});

test('no unused line left', () => {
  assert.equal(parseOneTimeSequences(''), undefined);
  assert.equal(parseOneTimeSequences('# a\n#b\n\n'), undefined);
});

test('marking prepends # and keeps every other byte', () => {
  let text = FILE;
  text = markOneTimeSequenceUsed(text, parseOneTimeSequences(text)!.lineIndex);
  assert.equal(text, '# header\n\n   \n# 2001,2002,2003\n 3001:udp,3002,3003:udp\n4001,4002,4003\n');
  text = markOneTimeSequenceUsed(text, parseOneTimeSequences(text)!.lineIndex);
  text = markOneTimeSequenceUsed(text, parseOneTimeSequences(text)!.lineIndex);
  // knockd would have written #001,4002,4003 here.
  assert.equal(text, '# header\n\n   \n# 2001,2002,2003\n# 3001:udp,3002,3003:udp\n#4001,4002,4003\n');
  assert.equal(parseOneTimeSequences(text), undefined);
});

test('CRLF files and files without a final newline stay byte-identical elsewhere', () => {
  const crlf = '1,2\r\n3,4\r\n';
  assert.equal(markOneTimeSequenceUsed(crlf, 1), '1,2\r\n#3,4\r\n');
  assert.deepEqual(parseOneTimeSequences('#1,2\r\n3,4')?.sequence.map((s) => s.port), [3, 4]);
  assert.equal(markOneTimeSequenceUsed('1,2', 0), '#1,2');
});

test('a line index outside the file is a programming error', () => {
  assert.throws(() => markOneTimeSequenceUsed('1,2\n', 2), RangeError);
  assert.throws(() => markOneTimeSequenceUsed('1,2\n', -1), RangeError);
});
