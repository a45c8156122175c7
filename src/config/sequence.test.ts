import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatPayload, formatSequence, formatStep, parseSequence, parseSequenceReport, parseStep, stripTrailingComment,
} from './sequence.js';
import { InvalidValueError } from './errors.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidValueError, `expected InvalidValueError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('a bare port is TCP, :tcp and :udp choose the protocol', () => {
  assert.deepEqual(parseStep('7000'), { proto: 'tcp', port: 7000 });
  assert.deepEqual(parseStep('7000:tcp'), { proto: 'tcp', port: 7000 });
  assert.deepEqual(parseStep('8000:udp'), { proto: 'udp', port: 8000 });
  assert.deepEqual(parseStep('1'), { proto: 'tcp', port: 1 });
  assert.deepEqual(parseStep('65535:udp'), { proto: 'udp', port: 65535 });
});

test('protocol is case-insensitive and whitespace around parts is ignored (knockd e09)', () => {
  assert.deepEqual(parseSequence(' 7000 : UDP , 8000:Tcp'), [
    { proto: 'udp', port: 7000 },
    { proto: 'tcp', port: 8000 },
  ]);
});

test('repeated ports and single-step sequences are allowed', () => {
  assert.deepEqual(parseSequence('7000,7000,8000').map((s) => s.port), [7000, 7000, 8000]);
  assert.deepEqual(parseSequence('19132:udp'), [{ proto: 'udp', port: 19132 }]);
});

test('bad ports: empty, non-numeric, negative, 0, over 65535', () => {
  throwsCode(() => parseStep('abc'), 'CONFIG_BAD_PORT',
    /^"abc" is not a port number; expected 1-65535, optionally followed by :tcp or :udp$/);
  throwsCode(() => parseStep('-1'), 'CONFIG_BAD_PORT', /"-1" is not a port number/);
  throwsCode(() => parseStep('0'), 'CONFIG_BAD_PORT', /port 0 is out of range/);
  throwsCode(() => parseStep('70000'), 'CONFIG_BAD_PORT', /port 70000 is out of range/);
  throwsCode(() => parseStep('7000 8000'), 'CONFIG_BAD_PORT', /separate steps with commas/);
  throwsCode(() => parseStep(':udp'), 'CONFIG_BAD_PORT', /":udp" is not a port number/);
  throwsCode(() => parseSequence('7000,8000,'), 'CONFIG_BAD_PORT', /trailing comma/);
  throwsCode(() => parseSequence('7000,,8000'), 'CONFIG_BAD_PORT', /empty step at position 2/);
  throwsCode(() => parseSequence('  '), 'CONFIG_EMPTY_SEQUENCE');
});

test('bad protocols', () => {
  throwsCode(() => parseStep('7000:sctp'), 'CONFIG_BAD_PROTOCOL', /"sctp" is not a protocol; expected tcp or udp/);
  throwsCode(() => parseStep('7000:'), 'CONFIG_BAD_PROTOCOL');
  throwsCode(() => parseStep('1:icmp'), 'CONFIG_BAD_PROTOCOL', /ICMP has no ports/);
  throwsCode(() => parseStep('7000:udp:extra'), 'CONFIG_SYNTAX');
});

test('at most 32 steps', () => {
  const seq = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1)).join(',');
  assert.equal(parseSequence(seq(32)).length, 32);
  throwsCode(() => parseSequence(seq(33)), 'CONFIG_TOO_MANY_STEPS', /33 steps; expected at most 32/);
  assert.equal(parseSequence(seq(40), 64).length, 40);
});

test('parseSequenceReport lists every bad step and keeps the good ones', () => {
  const { steps, errors } = parseSequenceReport('-1,abc,65535,0');
  assert.deepEqual(steps, [{ proto: 'tcp', port: 65535 }]);
  assert.deepEqual(errors.map((e) => e.code), ['CONFIG_BAD_PORT', 'CONFIG_BAD_PORT', 'CONFIG_BAD_PORT']);
});

test('icmp steps, with and without payload', () => {
  assert.deepEqual(parseStep('icmp'), { proto: 'icmp', port: 0 });
  assert.deepEqual(parseStep(' ICMP '), { proto: 'icmp', port: 0 });
  assert.deepEqual(parseStep('icmp:payload=hello'), { proto: 'icmp', port: 0, payload: bytes('hello') });
  assert.deepEqual(parseStep('icmp:payload=0x6b6e6f636b'), { proto: 'icmp', port: 0, payload: bytes('knock') });
  assert.deepEqual(parseStep('icmp : Payload = 0X00FF'), { proto: 'icmp', port: 0, payload: Uint8Array.of(0, 255) });
});

test('udp payloads; text may contain ":" and "=" but not commas', () => {
  assert.deepEqual(parseStep('8000:udp:payload=knock'), { proto: 'udp', port: 8000, payload: bytes('knock') });
  assert.deepEqual(parseStep('8000:udp:payload=a:b=c'), { proto: 'udp', port: 8000, payload: bytes('a:b=c') });
  assert.deepEqual(parseStep('8000:udp:payload=héllo'), { proto: 'udp', port: 8000, payload: bytes('héllo') });
  assert.deepEqual(parseSequence('7000,8000:udp:payload=x,icmp').map(formatStep),
    ['7000/tcp', '8000/udp(payload "x")', 'icmp']);
  // A comma ends the step: "b" is then read as a port.
  throwsCode(() => parseSequence('8000:udp:payload=a,b'), 'CONFIG_BAD_PORT', /"b"/);
});

test('bad payloads', () => {
  throwsCode(() => parseStep('8000:payload=x'), 'CONFIG_BAD_PAYLOAD', /UDP or ICMP/);
  throwsCode(() => parseStep('8000:tcp:payload=x'), 'CONFIG_BAD_PAYLOAD');
  throwsCode(() => parseStep('8000:udp:payload='), 'CONFIG_BAD_PAYLOAD', /empty payload/);
  throwsCode(() => parseStep('icmp:payload=0x'), 'CONFIG_BAD_PAYLOAD', /not valid hex/);
  throwsCode(() => parseStep('icmp:payload=0xabc'), 'CONFIG_BAD_PAYLOAD', /not valid hex/);
  throwsCode(() => parseStep('icmp:payload=0xzz'), 'CONFIG_BAD_PAYLOAD');
  throwsCode(() => parseStep(`icmp:payload=${'a'.repeat(1025)}`), 'CONFIG_BAD_PAYLOAD', /1025 bytes/);
  assert.equal(parseStep(`icmp:payload=${'a'.repeat(1024)}`).payload?.length, 1024);
});

test('stripTrailingComment drops " # ..." but keeps # inside a token', () => {
  assert.equal(stripTrailingComment('1,2,3 # c'), '1,2,3');
  assert.equal(stripTrailingComment('1,2,3\t#c'), '1,2,3');
  assert.equal(stripTrailingComment('# all'), '');
  assert.equal(stripTrailingComment('8000:udp:payload=a#b'), '8000:udp:payload=a#b');
  assert.equal(stripTrailingComment('1,2'), '1,2');
});

test('formatting steps and payloads', () => {
  assert.equal(formatSequence(parseSequence('7000,8000,9000:udp,icmp:payload=hi')),
    '7000/tcp 8000/tcp 9000/udp icmp(payload "hi")');
  assert.equal(formatPayload(Uint8Array.of(0, 1, 0xff)), '0x0001ff');
  assert.equal(formatPayload(bytes('a"b')), '0x612262');
  assert.equal(formatPayload(bytes(' x')), '0x2078');
});
