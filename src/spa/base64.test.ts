import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { b64decodePrintable, b64decodeStrict, b64encode, isB64Alphabet } from './base64.js';

test('b64encode is standard base64 with every = stripped (strip_b64_eq())', () => {
  assert.equal(b64encode('root'), 'cm9vdA');
  assert.equal(b64encode('127.0.0.2,tcp/22'), 'MTI3LjAuMC4yLHRjcC8yMg');
  assert.equal(b64encode(new Uint8Array([0xfb, 0xff])), '+/8');
  assert.equal(b64encode(''), '');
  const sub = Buffer.from('xxSalted__yy').subarray(2, 10);
  assert.equal(b64encode(sub), 'U2FsdGVkX18', 'honours a view’s offset');
});

test('b64decodeStrict round-trips every length and refuses every other spelling', () => {
  for (let n = 0; n < 70; n++) {
    const bytes = crypto.randomBytes(n);
    const s = b64encode(bytes);
    assert.deepEqual(b64decodeStrict(s), bytes);
    if (n % 3 !== 0) {
      // Flip an unused low bit of the last character: same bytes to a lax decoder, refused here.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const last = alphabet.indexOf(s[s.length - 1]!);
      const twisted = s.slice(0, -1) + alphabet[last ^ 1];
      assert.deepEqual(Buffer.from(twisted, 'base64'), bytes, 'Node itself ignores those bits');
      assert.equal(b64decodeStrict(twisted), undefined);
    }
  }
  assert.equal(b64decodeStrict('cm9vdA=='), undefined, 'no padding');
  assert.equal(b64decodeStrict('cm9vd'), undefined, '4n+1 characters');
  assert.equal(b64decodeStrict('cm9v dA'), undefined);
  assert.equal(b64decodeStrict('cm9-dA'), undefined, 'not the URL-safe alphabet');
});

test('b64decodePrintable wants printable ASCII bytes', () => {
  assert.equal(b64decodePrintable('cm9vdA'), 'root');
  assert.equal(b64decodePrintable(b64encode('a\tb')), undefined);
  assert.equal(b64decodePrintable(b64encode(Buffer.from([0x61, 0xe9]))), undefined);
  assert.equal(b64decodePrintable(b64encode('a\0b')), undefined);
});

test('isB64Alphabet', () => {
  assert.ok(isB64Alphabet('AZaz09+/'));
  for (const c of ['=', '-', '_', ' ', '\n', '\0', 'é']) assert.ok(!isB64Alphabet(`abc${c}`), JSON.stringify(c));
});
