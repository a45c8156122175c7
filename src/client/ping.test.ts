import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KnockError } from './errors.js';
import { pingCommand, pingSent } from './ping.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('iputils: plain echo request, and payloads sized to dodge the 16-byte timestamp', () => {
  assert.deepEqual(pingCommand('linux', '127.0.0.1', 4), { file: 'ping', args: ['-n', '-c', '1', '-W', '1', '127.0.0.1'] });
  assert.deepEqual(pingCommand('linux', '::1', 6, bytes('abc')).args, ['-n', '-c', '1', '-W', '1', '-p', '616263', '-s', '3', '::1']);
  // 15 bytes: -s 15 stays below the timestamp threshold, so the data is exactly the payload.
  assert.deepEqual(pingCommand('linux', '10.0.0.1', 4, new Uint8Array(15)).args.slice(5, 9), ['-p', '00'.repeat(15), '-s', '15']);
  // 16 bytes: the timestamp fills data[0..16), the pattern's second copy sits at 16..32.
  assert.deepEqual(pingCommand('linux', '10.0.0.1', 4, new Uint8Array(16).fill(1)).args.slice(5, 9), ['-p', '01'.repeat(16), '-s', '32']);
});

test('BSD/macOS: pattern after the 8-byte timestamp, ping6 for IPv6', () => {
  assert.deepEqual(pingCommand('darwin', '192.0.2.1', 4, bytes('ab')), { file: 'ping', args: ['-n', '-c', '1', '-t', '2', '-p', '6162', '-s', '10', '192.0.2.1'] });
  assert.deepEqual(pingCommand('freebsd', '2001:db8::1', 6), { file: 'ping6', args: ['-n', '-c', '1', '2001:db8::1'] });
});

test('Windows: plain echo requests only', () => {
  assert.deepEqual(pingCommand('win32', '192.0.2.1', 4), { file: 'ping', args: ['-n', '1', '-w', '1000', '192.0.2.1'] });
  assert.throws(() => pingCommand('win32', '192.0.2.1', 4, bytes('a')), (e: unknown) => e instanceof KnockError && e.code === 'KNOCK_UNSUPPORTED');
});

test('refusals: more than 16 payload bytes, unknown platforms', () => {
  assert.throws(() => pingCommand('linux', '127.0.0.1', 4, new Uint8Array(17)), /at most 16 bytes; this one has 17/);
  assert.throws(() => pingCommand('aix', '127.0.0.1', 4), /icmp knocks need iputils ping/);
});

test('pingSent: a missing reply still counts as sent, a ping error does not', () => {
  assert.equal(pingSent(0, ''), true);
  assert.equal(pingSent(1, '--- 10.0.0.1 ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss, time 0ms\n'), true);
  assert.equal(pingSent(2, '1 packets transmitted, 0 packets received, 100.0% packet loss\n'), true);
  assert.equal(pingSent(1, '    Packets: Sent = 1, Received = 0, Lost = 1 (100% loss),\n'), true);
  assert.equal(pingSent(2, ''), false);
  assert.equal(pingSent(1, 'ping: invalid number\n'), false);
  assert.equal(pingSent(null, ''), false);
});
