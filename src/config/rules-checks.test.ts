import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './parse.js';
import { ConfigErrors } from './errors.js';

const FILE = '/etc/portcullis.conf';

function parse(text: string, files: Record<string, string> = {}) {
  return parseConfig(text, FILE, { readFile: (p) => files[p] });
}

function messages(text: string, files: Record<string, string> = {}): string[] {
  try {
    parse(text, files);
  } catch (e) {
    assert.ok(e instanceof ConfigErrors, String(e));
    return e.errors.map((x) => x.message);
  }
  assert.fail('expected ConfigErrors');
}

test('knock_min_gap and knock_max_gap parse into the door; default none', () => {
  const c = parse('[ssh]\nsequence = 22,22,22\nopen = tcp/22\nKnock_Min_Gap = 1\nknock_max_gap = 3 # seconds\n[plain]\nsequence = 7000,8000\n');
  assert.equal(c.doors[0]!.knockMinGapMs, 1000);
  assert.equal(c.doors[0]!.knockMaxGapMs, 3000);
  assert.equal(c.doors[1]!.knockMinGapMs, 0);
  assert.equal(c.doors[1]!.knockMaxGapMs, 0);
  assert.equal(parse('[d]\nsequence = 1,2\nknock_min_gap = 0\n').doors[0]!.knockMinGapMs, 0, '0 = no minimum');
});

test('bad gap values and gaps no knocker could meet are refused with the line and what is expected', () => {
  assert.deepEqual(messages([
    '[a]', 'sequence = 7000,8000', 'knock_min_gap = soon', 'knock_max_gap = 0',
    '[b]', 'sequence = 7000,8000', 'knock_min_gap = 3', 'knock_max_gap = 3',
    '[c]', 'sequence = 7000', 'knock_max_gap = 5',
    '[d]', 'sequence = 1,2,3,4', 'seq_timeout = 9', 'knock_min_gap = 3',
  ].join('\n')), [
    `${FILE}:3: knock_min_gap: "soon" is not a number of seconds; expected a whole number of seconds from 0 to 2147483`,
    `${FILE}:4: knock_max_gap: 0 seconds is out of range; expected a whole number of seconds from 1 to 2147483`,
    `${FILE}:7: knock_min_gap: 3 s is not below knock_max_gap (3 s), so no knock could be in time; expected a minimum gap shorter than the maximum`,
    `${FILE}:11: knock_max_gap: [c] has a single knock, so there is no gap between knocks; expected knock_max_gap only on a door with two or more steps`,
    `${FILE}:15: knock_min_gap: 4 knocks at least 3 s apart take 9 s or more, but seq_timeout (9 s) ends the attempt first; expected a seq_timeout above 9 or a shorter gap`,
  ]);
});

test('one-time sequences are checked line by line', () => {
  const files = { '/etc/otp': '7000,8000,9000\n7001\n' };
  assert.deepEqual(messages('[d]\none_time_sequences = /etc/otp\nknock_min_gap = 1\n', files), [
    `${FILE}:3: knock_min_gap: [d] has a single knock, so there is no gap between knocks; expected knock_min_gap only on a door with two or more steps`,
  ]);
  assert.equal(parse('[d]\none_time_sequences = /etc/otp\nknock_min_gap = 1\n', { '/etc/otp': '7000,8000,9000\n' }).doors[0]!.knockMinGapMs, 1000);
});
