import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../config/model.js';
import { KnockError } from './errors.js';
import { describeHit, parseKnockStep } from './steps.js';
import { lookupIn, parseServices } from './services.js';

const services = lookupIn(parseServices('ssh 22/tcp\nhttp 80/tcp www\ndomain 53/tcp\ndomain 53/udp\n'));
const parse = (arg: string, udp = false): Step => parseKnockStep(arg, { udp, services });
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function rejects(arg: string, pattern: RegExp, udp = false): void {
  assert.throws(() => parse(arg, udp), (e: unknown) => e instanceof KnockError && e.code === 'KNOCK_BAD_STEP' && pattern.test(e.message));
}

test('ports and protocols, any case', () => {
  assert.deepEqual(parse('7000'), { proto: 'tcp', port: 7000 });
  assert.deepEqual(parse('7000:tcp'), { proto: 'tcp', port: 7000 });
  assert.deepEqual(parse('7000:udp'), { proto: 'udp', port: 7000 });
  assert.deepEqual(parse('7000:UDP'), { proto: 'udp', port: 7000 });
  assert.deepEqual(parse('1'), { proto: 'tcp', port: 1 });
  assert.deepEqual(parse('65535:Tcp'), { proto: 'tcp', port: 65535 });
});

test('-u makes every port step UDP, even an explicit :tcp, and leaves icmp alone', () => {
  assert.deepEqual(parse('7000', true), { proto: 'udp', port: 7000 });
  assert.deepEqual(parse('7000:tcp', true), { proto: 'udp', port: 7000 });
  assert.deepEqual(parse('icmp', true), { proto: 'icmp', port: 0 });
  assert.deepEqual(parse('7000:payload=x', true), { proto: 'udp', port: 7000, payload: bytes('x') });
});

test('service names, as knock resolved them', () => {
  assert.deepEqual(parse('ssh'), { proto: 'tcp', port: 22 });
  assert.deepEqual(parse('http:udp'), { proto: 'udp', port: 80 });
  assert.deepEqual(parse('domain:udp'), { proto: 'udp', port: 53 });
  assert.deepEqual(parse('ssh', true), { proto: 'udp', port: 22 });
  rejects('nosuchservice', /neither a port number nor a known service/);
});

test('icmp and payloads', () => {
  assert.deepEqual(parse('icmp'), { proto: 'icmp', port: 0 });
  assert.deepEqual(parse('ICMP'), { proto: 'icmp', port: 0 });
  assert.deepEqual(parse('icmp:payload=abc'), { proto: 'icmp', port: 0, payload: bytes('abc') });
  assert.deepEqual(parse('8000:udp:payload=knock'), { proto: 'udp', port: 8000, payload: bytes('knock') });
  assert.deepEqual(parse('8000:udp:PAYLOAD=0x00ff'), { proto: 'udp', port: 8000, payload: Uint8Array.of(0, 255) });
  assert.deepEqual(parse('8000:udp:payload=a:b,c=d'), { proto: 'udp', port: 8000, payload: bytes('a:b,c=d') });
  assert.deepEqual(parse('8000:udp:payload=héllo'), { proto: 'udp', port: 8000, payload: bytes('héllo') });
});

test('bad steps say what is wrong', () => {
  rejects('0', /out of range/);
  rejects('65536', /out of range/);
  rejects('', /is not a port number/);
  rejects('7000:sctp', /"sctp" is not a protocol/);
  rejects('7000:icmp', /ICMP has no ports/);
  rejects('7000:udp:x', /too many ":" parts/);
  rejects('7000:payload=x', /a TCP knock is a bare SYN/);
  rejects('7000:tcp:payload=x', /TCP knock is a bare SYN/);
  rejects('8000:udp:payload=', /empty payload/);
  rejects('8000:udp:payload=0xabc', /not valid hex/);
  rejects('8000:udp:payload=0xzz', /not valid hex/);
  rejects(`8000:udp:payload=${'a'.repeat(1025)}`, /1025 bytes; expected at most 1024/);
  rejects('-5', /is not a port number/);
});

test('describeHit matches knock -v and shows payloads', () => {
  assert.equal(describeHit({ proto: 'tcp', port: 7000 }, '1.2.3.4'), 'tcp 1.2.3.4:7000');
  assert.equal(describeHit({ proto: 'udp', port: 7001 }, '::1'), 'udp ::1:7001');
  assert.equal(describeHit({ proto: 'icmp', port: 0, payload: bytes('hi') }, '1.2.3.4'), 'icmp 1.2.3.4 with payload "hi"');
});
