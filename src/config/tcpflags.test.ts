import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTcpFlags, parseTcpFlags } from './tcpflags.js';
import { InvalidValueError } from './errors.js';

test('flags, negation and case', () => {
  assert.deepEqual(parseTcpFlags('syn'), [{ flag: 'syn', set: true }]);
  assert.deepEqual(parseTcpFlags('FIN,!Ack'), [{ flag: 'fin', set: true }, { flag: 'ack', set: false }]);
  assert.equal(formatTcpFlags(parseTcpFlags('fin,syn,rst,psh,ack,urg')), 'fin,syn,rst,psh,ack,urg');
  assert.equal(formatTcpFlags(parseTcpFlags('!fin,!syn,!rst,!psh,!ack,!urg')), '!fin,!syn,!rst,!psh,!ack,!urg');
});

test('spaces after commas are accepted (knockd rejected `syn, ack`)', () => {
  assert.deepEqual(parseTcpFlags('syn, ack'), [{ flag: 'syn', set: true }, { flag: 'ack', set: true }]);
  assert.deepEqual(parseTcpFlags(' syn ,  ! ack '), [{ flag: 'syn', set: true }, { flag: 'ack', set: false }]);
});

test('lines accumulate; a repeated flag takes the later setting in its first place', () => {
  const first = parseTcpFlags('Syn');
  assert.deepEqual(parseTcpFlags('!ack,urg', first), [
    { flag: 'syn', set: true }, { flag: 'ack', set: false }, { flag: 'urg', set: true },
  ]);
  assert.deepEqual(parseTcpFlags('ack,syn,!ack'), [{ flag: 'ack', set: false }, { flag: 'syn', set: true }]);
});

test('bad flags name the token', () => {
  for (const [text, token] of [['', ''], ['syn,', ''], ['sin', 'sin'], ['syn ack', 'syn ack'], ['!', '!'], ['!!syn', '!!syn']]) {
    assert.throws(() => parseTcpFlags(text!), (e: unknown) =>
      e instanceof InvalidValueError && e.code === 'CONFIG_BAD_FLAG' && e.message.startsWith(`"${token}" is not a TCP flag; expected fin, syn`));
  }
});
