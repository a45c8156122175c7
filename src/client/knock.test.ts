import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../config/model.js';
import { knock, type KnockOptions } from './knock.js';
import { RecordingIO } from './recording-io.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const OPTS: KnockOptions = { delayMs: 0, family: 0 };
const SEQ: Step[] = [{ proto: 'tcp', port: 7000 }, { proto: 'udp', port: 8000 }, { proto: 'icmp', port: 0 }];

test('resolves once, then hits every step in order; UDP defaults to one zero byte', async () => {
  const io = new RecordingIO();
  const r = await knock('server', SEQ, OPTS, io);
  assert.deepEqual(r, { exitCode: 0, address: '192.0.2.1', rounds: 1 });
  assert.deepEqual(io.calls, [
    { op: 'resolve', host: 'server', family: 0 },
    { op: 'tcp', address: '192.0.2.1', port: 7000 },
    { op: 'udp', address: '192.0.2.1', port: 8000, payload: '00' },
    { op: 'icmp', address: '192.0.2.1' },
  ]);
});

test('payloads reach the sender', async () => {
  const io = new RecordingIO();
  await knock('h', [{ proto: 'udp', port: 1, payload: bytes('hi') }, { proto: 'icmp', port: 0, payload: Uint8Array.of(0xab) }], OPTS, io);
  assert.deepEqual(io.calls.slice(1), [
    { op: 'udp', address: '192.0.2.1', port: 1, payload: '6869' },
    { op: 'icmp', address: '192.0.2.1', payload: 'ab' },
  ]);
});

test('-d sleeps after every hit, the last one included', async () => {
  const io = new RecordingIO();
  await knock('h', SEQ.slice(0, 2), { ...OPTS, delayMs: 250 }, io);
  assert.deepEqual(io.calls.slice(1).map((c) => c.op === 'sleep' ? `sleep ${c.ms}` : c.op), ['tcp', 'sleep 250', 'udp', 'sleep 250']);
});

test('-4/-6 are passed to resolution; a literal of the other family is refused', async () => {
  const io = new RecordingIO({ resolveTo: { address: '::1', family: 6 } });
  const ok = await knock('::1', SEQ.slice(0, 1), { ...OPTS, family: 6 }, io);
  assert.equal(ok.exitCode, 0);
  assert.deepEqual(io.calls[0], { op: 'resolve', host: '::1', family: 6 });
  const wrong = new RecordingIO({ resolveTo: { address: '::1', family: 6 } });
  const r = await knock('::1', SEQ, { ...OPTS, family: 4 }, wrong);
  assert.equal(r.exitCode, 1);
  assert.equal(r.error?.code, 'KNOCK_RESOLVE');
  assert.match(r.error!.message, /-4 was given but ::1 is an IPv6 address/);
  assert.equal(wrong.only('tcp').length, 0);
});

test('a host that does not resolve: exit 1, nothing sent', async () => {
  const io = new RecordingIO({ resolveTo: Object.assign(new Error('getaddrinfo ENOTFOUND nope'), { code: 'ENOTFOUND' }) });
  const r = await knock('nope', SEQ, OPTS, io);
  assert.equal(r.exitCode, 1);
  assert.equal(r.error?.code, 'KNOCK_RESOLVE');
  assert.equal(r.error?.message, 'cannot resolve nope to an address: getaddrinfo ENOTFOUND nope');
  assert.deepEqual(io.calls.map((c) => c.op), ['resolve']);
});

test('a failed send stops the sequence with exit 1 and names the step', async () => {
  const io = new RecordingIO({ failSend: { at: 2, error: Object.assign(new Error('send EPERM'), { code: 'EPERM' }) } });
  const r = await knock('h', SEQ, { ...OPTS, delayMs: 5 }, io);
  assert.equal(r.exitCode, 1);
  assert.equal(r.error?.code, 'KNOCK_SEND');
  assert.equal(r.error?.message, 'step 2 (udp 192.0.2.1:8000) was not sent: send EPERM');
  assert.deepEqual(io.calls.map((c) => c.op), ['resolve', 'tcp', 'sleep', 'udp']);
});

test('an ICMP payload ping cannot carry is refused before anything is sent', async () => {
  const io = new RecordingIO();
  const r = await knock('h', [{ proto: 'tcp', port: 1 }, { proto: 'icmp', port: 0, payload: new Uint8Array(17) }], OPTS, io);
  assert.equal(r.exitCode, 1);
  assert.equal(r.error?.code, 'KNOCK_UNSUPPORTED');
  assert.equal(io.calls.length, 0);
});

test('-v lines look like knock\'s', async () => {
  const lines: string[] = [];
  await knock('h', SEQ, { ...OPTS, log: (l) => lines.push(l) }, new RecordingIO());
  assert.deepEqual(lines, ['hitting tcp 192.0.2.1:7000', 'hitting udp 192.0.2.1:8000', 'hitting icmp 192.0.2.1']);
});

test('--verify: open at once → exit 0 after one round', async () => {
  const io = new RecordingIO({ connects: [true] });
  const r = await knock('h', SEQ.slice(0, 2), { ...OPTS, verify: { port: 22, timeoutMs: 3000 } }, io);
  assert.deepEqual(r, { exitCode: 0, address: '192.0.2.1', rounds: 1 });
  assert.deepEqual(io.calls.at(-1), { op: 'connect', address: '192.0.2.1', port: 22, timeoutMs: 3000 });
});

test('--verify: closed, knocks the whole sequence again (delays too), then open → exit 0', async () => {
  const io = new RecordingIO({ connects: [false, true] });
  const r = await knock('h', SEQ.slice(0, 2), { ...OPTS, delayMs: 10, verify: { port: 22, timeoutMs: 100 } }, io);
  assert.deepEqual(r, { exitCode: 0, address: '192.0.2.1', rounds: 2 });
  assert.deepEqual(io.calls.map((c) => c.op), [
    'resolve', 'tcp', 'sleep', 'udp', 'sleep', 'connect', 'tcp', 'sleep', 'udp', 'sleep', 'connect',
  ]);
});

test('--verify: still closed after the second round → exit 3 with a clear message', async () => {
  const io = new RecordingIO({ connects: [false, false] });
  const lines: string[] = [];
  const r = await knock('h', SEQ.slice(0, 1), { ...OPTS, log: (l) => lines.push(l), verify: { port: 22, timeoutMs: 100 } }, io);
  assert.equal(r.exitCode, 3);
  assert.equal(r.rounds, 2);
  assert.equal(r.error?.code, 'KNOCK_NOT_OPEN');
  assert.equal(r.error?.message, '192.0.2.1:22 did not accept a TCP connection within 100 ms, after the sequence was sent 2 times');
  assert.equal(io.only('connect').length, 2);
  assert.equal(io.only('resolve').length, 1);
  assert.ok(lines.includes('192.0.2.1:22 is not open; knocking again'));
});

test('--verify on IPv6 brackets the address in messages', async () => {
  const io = new RecordingIO({ resolveTo: { address: '2001:db8::1', family: 6 }, connects: [] });
  const r = await knock('h', SEQ.slice(0, 1), { ...OPTS, verify: { port: 22, timeoutMs: 5 } }, io);
  assert.match(r.error!.message, /^\[2001:db8::1\]:22 did not accept/);
});
