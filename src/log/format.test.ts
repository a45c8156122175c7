import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLine, logFileText, oneLine, stderrText } from './format.js';

// 2026-03-04 05:06:07.089 local time, whatever the machine's zone.
const T = new Date(2026, 2, 4, 5, 6, 7, 89).getTime();

test('stderr text: local date and time to the second, then the program name', () => {
  assert.equal(stderrText({ time: T, level: 'info', msg: '10.0.0.2: ssh: OPEN SESAME' }), '2026-03-04 05:06:07 portcullis: 10.0.0.2: ssh: OPEN SESAME\n');
});

test("LogFile text is knockd's: [YYYY-MM-DD HH:MM] msg, local time to the minute", () => {
  assert.equal(logFileText({ time: T, level: 'info', msg: '10.0.0.2: ssh: Stage 1' }), '[2026-03-04 05:06] 10.0.0.2: ssh: Stage 1\n');
});

test('trailing newlines make no blank lines (knockd did)', () => {
  assert.equal(logFileText({ time: T, level: 'info', msg: 'ssh: running command: x\n' }), '[2026-03-04 05:06] ssh: running command: x\n');
  assert.equal(oneLine('a\r\n\n'), 'a');
});

test('control characters inside a message are escaped, so one message is one line', () => {
  assert.equal(oneLine('a\nb\rc\x1bd\x7f\te'), 'a\\nb\\rc\\x1bd\\x7f\te');
  assert.equal(stderrText({ time: T, level: 'warn', msg: 'x\n[2026-01-01 00:00] forged' }).split('\n').length, 2);
});

test('JSON: one object per line with time, level, msg and the fields', () => {
  const line = jsonLine({ time: T, level: 'warn', msg: 'ssh: command returned non-zero status code (2)\n', fields: { ip: '10.0.0.2', exitCode: 2 } });
  assert.ok(line.endsWith('\n'));
  assert.equal(line.indexOf('\n'), line.length - 1);
  assert.deepEqual(JSON.parse(line), {
    time: new Date(T).toISOString(), level: 'warn', msg: 'ssh: command returned non-zero status code (2)', ip: '10.0.0.2', exitCode: 2,
  });
});

test('JSON fields cannot overwrite time, level or msg, and odd values still serialise', () => {
  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  const parsed = JSON.parse(jsonLine({ time: T, level: 'info', msg: 'm', fields: { msg: 'x', level: 'error', n: 5n, err: Object.assign(new Error('boom'), { code: 'E1' }), bytes: new Uint8Array([1, 255]) } }));
  assert.equal(parsed.msg, 'm');
  assert.equal(parsed.level, 'info');
  assert.equal(parsed.n, '5');
  assert.deepEqual(parsed.err, { name: 'Error', message: 'boom', code: 'E1' });
  assert.equal(parsed.bytes, '01ff');
  const fallback = JSON.parse(jsonLine({ time: T, level: 'info', msg: 'm', fields: { c: circular } }));
  assert.equal(fallback.msg, 'm');
  assert.match(fallback.fieldsError, /circular/i);
});
