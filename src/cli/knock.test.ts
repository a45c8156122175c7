import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingIO, type Script } from '../client/recording-io.js';
import { lookupIn, parseServices } from '../client/services.js';
import { run, USAGE } from './knock.js';

async function cli(argv: string[], script: Script = {}): Promise<{ code: number; out: string[]; err: string[]; io: RecordingIO }> {
  const io = new RecordingIO(script);
  const out: string[] = [];
  const err: string[] = [];
  const services = lookupIn(parseServices('ssh 22/tcp\nhttp 80/tcp\n'));
  const code = await run(argv, { io, services, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err, io };
}

test('a quiet knock prints nothing and exits 0', async () => {
  const r = await cli(['server', '7000', '8000:udp', 'ssh']);
  assert.equal(r.code, 0);
  assert.deepEqual(r.out, []);
  assert.deepEqual(r.err, []);
  assert.deepEqual(r.io.calls.map((c) => c.op), ['resolve', 'tcp', 'udp', 'tcp']);
});

test('-v prints one knock-style line per hit, on stdout', async () => {
  const r = await cli(['-v', 'server', '7000', 'http:udp', 'icmp:payload=0x00ff']);
  assert.equal(r.code, 0);
  assert.deepEqual(r.out, ['hitting tcp 192.0.2.1:7000', 'hitting udp 192.0.2.1:80', 'hitting icmp 192.0.2.1 with payload 0x00ff']);
});

test('-u -d: all UDP, a pause after each hit', async () => {
  const r = await cli(['-u', '-d', '100', 'server', '7000:tcp', '8000']);
  assert.deepEqual(r.io.calls.slice(1).map((c) => c.op === 'sleep' ? c.ms : c.op), ['udp', 100, 'udp', 100]);
});

test('--help prints the usage and exits 0; -V prints the version', async () => {
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.deepEqual(help.out, [USAGE]);
  const version = await cli(['-V']);
  assert.equal(version.code, 0);
  assert.match(version.out[0]!, /^portcullis \d+\.\d+\.\d+/);
});

test('usage errors exit 1 with the problem and a hint, sending nothing', async () => {
  const bare = await cli([]);
  assert.equal(bare.code, 1);
  assert.deepEqual(bare.err, [USAGE]);
  for (const argv of [['host'], ['-d', '-5', 'h', '1'], ['-x', 'h', '1']]) {
    const r = await cli(argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.match(r.err[0]!, /^portcullis knock: /);
    assert.equal(r.err[1], `Try 'portcullis knock --help' for more information.`);
    assert.deepEqual(r.io.calls, []);
  }
  const negative = await cli(['-d', '-5', 'h', '1']);
  assert.equal(negative.err[0], 'portcullis knock: delay cannot be negative');
});

test('a bad step exits 1 naming the argument', async () => {
  const r = await cli(['h', '7000', '7000:sctp']);
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, ['portcullis knock: "7000:sctp": "sctp" is not a protocol; expected tcp or udp after the port']);
  assert.deepEqual(r.io.calls, []);
});

test('an unresolvable host or a failed send exits 1', async () => {
  const unresolved = await cli(['nope', '1'], { resolveTo: new Error('getaddrinfo ENOTFOUND nope') });
  assert.equal(unresolved.code, 1);
  assert.deepEqual(unresolved.err, ['portcullis knock: cannot resolve nope to an address: getaddrinfo ENOTFOUND nope']);
  const failed = await cli(['h', '1', '2'], { failSend: { at: 1, error: new Error('connect ENETUNREACH') } });
  assert.equal(failed.code, 1);
  assert.deepEqual(failed.err, ['portcullis knock: step 1 (tcp 192.0.2.1:1) was not sent: connect ENETUNREACH']);
});

test('--verify: exit 0 when open, 3 with a message when it stays closed', async () => {
  const open = await cli(['h', '1', '--verify', 'ssh'], { connects: [true] });
  assert.equal(open.code, 0);
  assert.deepEqual(open.io.only('connect'), [{ op: 'connect', address: '192.0.2.1', port: 22, timeoutMs: 3000 }]);
  const closed = await cli(['h', '1', '--verify', '22', '--verify-timeout', '50']);
  assert.equal(closed.code, 3);
  assert.match(closed.err[0]!, /^portcullis knock: 192\.0\.2\.1:22 did not accept a TCP connection within 50 ms/);
  assert.equal(closed.io.only('tcp').length, 2);
});
