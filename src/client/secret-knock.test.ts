import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingIO } from './recording-io.js';
import { lookupIn, parseServices } from './services.js';
import { parseKnockArgs } from './argv.js';
import { KnockError } from './errors.js';
import { run } from '../cli/knock.js';

const SECRET = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const T = 1_700_000_000_000; // window 56,666,666 of 30 s: door "ssh" knocks 28496,17491,8687 (src/door/secret-sequence.test.ts)
const services = lookupIn(parseServices('ssh 22/tcp\n'));

async function cli(argv: string[], files: Record<string, string> = {}, now = T) {
  const io = new RecordingIO({});
  const out: string[] = [];
  const err: string[] = [];
  const readFile = (path: string): string => {
    if (path in files) return files[path]!;
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  };
  const code = await run(argv, { io, services, out: (l) => out.push(l), err: (l) => err.push(l), now: () => now, readFile });
  return { code, out, err, io };
}

function usage(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseKnockArgs(argv, services), (e: unknown) => e instanceof KnockError && e.code === 'KNOCK_USAGE' && pattern.test(e.message));
}

test('--secret knocks the current window\'s sequence of the door', async () => {
  const r = await cli(['-v', '--door', 'ssh', '--secret', SECRET, 'server']);
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.deepEqual(r.io.calls.filter((c) => c.op === 'tcp').map((c) => (c as { port: number }).port), [28496, 17491, 8687]);
  assert.equal(r.out[0], 'door ssh, window 56666666: 28496,17491,8687');
  assert.equal(r.out[1], 'hitting tcp 192.0.2.1:28496');
});

test('--print prints the sequence and sends nothing; --secret-file reads the key (newline allowed)', async () => {
  const r = await cli(['--print', '--door=ssh', '--secret-file', '/k', 'server'], { '/k': `${SECRET}\n` });
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.deepEqual(r.out, ['28496,17491,8687']);
  assert.deepEqual(r.io.calls, []);
  // The next window, 30 s later; -u, --length, --window, --ports change it as the door's keys do.
  assert.deepEqual((await cli(['--print', '--door', 'ssh', '--secret', SECRET, 'server'], {}, T + 30_000)).out, ['25836,11380,23495']);
  assert.deepEqual((await cli(['--print', '--next', '--door', 'ssh', '--secret', SECRET, 'server'])).out, ['25836,11380,23495'], '--next');
  assert.deepEqual((await cli(['--print', '-u', '--door', 'ssh', '--secret', SECRET, 'server'])).out, ['2866,17597,8054']);
  assert.deepEqual((await cli(['--print', '--door', 'ssh', '--secret', SECRET, '--window', '5', '--length', '4', '--ports', '1024-65535', 'server'])).out,
    ['31808,43566,45738,22372']);
});

test('the same delay and family options apply', async () => {
  const r = await cli(['-d', '50', '-4', '--door', 'ssh', '--secret', SECRET, 'server']);
  assert.equal(r.code, 0);
  assert.deepEqual(r.io.calls.map((c) => (c.op === 'sleep' ? c.ms : c.op)), ['resolve', 'tcp', 50, 'tcp', 50, 'tcp', 50]);
});

test('usage errors: door required, no steps, one secret source, limits of the config keys', () => {
  usage(['--secret', SECRET, 'server'], /--secret needs --door NAME/);
  usage(['--door', 'ssh', 'server'], /need --secret BASE64 or --secret-file FILE/);
  usage(['--door', 'ssh', '--secret', SECRET, '--secret-file', '/k', 'server'], /not both/);
  usage(['--door', 'ssh', '--secret', SECRET, 'server', '7000'], /expected HOST alone, no STEP/);
  usage(['--door', 'ssh', '--secret', SECRET], /expected HOST alone/);
  usage(['--door', 'ssh', '--secret', SECRET, '--length', '1', 'server'], /--length: "1" is not a valid count; expected a whole number from 2 to 16/);
  usage(['--door', 'ssh', '--secret', SECRET, '--window', '4', 'server'], /--window: .* from 5 to 3600/);
  usage(['--door', 'ssh', '--secret', SECRET, '--ports', '7000', 'server'], /--ports: "7000" is not a port range/);
  usage(['--door', 'ssh', '--secret', SECRET, '--ports', '7000-7999', 'server'], /fewer than 32 bits/);
});

test('a bad or unreadable secret: exit 1 with the reason, nothing sent', async () => {
  const short = await cli(['--door', 'ssh', '--secret', 'c2hvcnQ=', 'server']);
  assert.equal(short.code, 1);
  assert.match(short.err[0]!, /portcullis knock: the secret: decodes to 5 bytes; expected a secret of 16 to 128 bytes/);
  assert.deepEqual(short.io.calls, []);
  const missing = await cli(['--door', 'ssh', '--secret-file', '/nope', 'server']);
  assert.equal(missing.code, 1);
  assert.match(missing.err[0]!, /cannot read --secret-file \/nope: ENOENT/);
});
