import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitConfigLines } from './lines.js';

test('sections, directives, comments and blank lines with 1-based line numbers', () => {
  const text = '\ufeff[options]\r\n\tUseSyslog\r\n\n  # comment\n[ d ]\n  Sequence = 1,2 \n command = a=b c==d\n  empty =\n';
  assert.deepEqual(splitConfigLines(text), [
    { kind: 'section', line: 1, name: 'options' },
    { kind: 'directive', line: 2, key: 'UseSyslog', value: undefined },
    { kind: 'section', line: 5, name: ' d ' },
    { kind: 'directive', line: 6, key: 'Sequence', value: '1,2' },
    { kind: 'directive', line: 7, key: 'command', value: 'a=b c==d' },
    { kind: 'directive', line: 8, key: 'empty', value: '' },
  ]);
});

test('a header with trailing text is a bad section; # after text is not a comment', () => {
  assert.deepEqual(splitConfigLines('[d] # x\n[]\n[oops\nx = 1 # y'), [
    { kind: 'bad-section', line: 1, text: '[d] # x', name: 'd' },
    { kind: 'section', line: 2, name: '' },
    { kind: 'bad-section', line: 3, text: '[oops', name: 'oops' },
    { kind: 'directive', line: 4, key: 'x', value: '1 # y' },
  ]);
});
