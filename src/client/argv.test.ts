import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKnockArgs, type KnockRequest } from './argv.js';
import { KnockError } from './errors.js';
import { lookupIn, parseServices } from './services.js';

const services = lookupIn(parseServices('ssh 22/tcp\nhttp 80/tcp www\n'));
const parse = (...argv: string[]): KnockRequest => parseKnockArgs(argv, services);

function knockOf(...argv: string[]): Extract<KnockRequest, { kind: 'knock' }> {
  const r = parse(...argv);
  assert.equal(r.kind, 'knock');
  return r as Extract<KnockRequest, { kind: 'knock' }>;
}

function usageError(argv: string[], pattern: RegExp, code = 'KNOCK_USAGE'): void {
  assert.throws(() => parse(...argv), (e: unknown) => e instanceof KnockError && e.code === code && pattern.test(e.message));
}

test('host and steps with defaults', () => {
  const r = knockOf('server.example.com', '7000', '8000:udp', 'icmp');
  assert.equal(r.host, 'server.example.com');
  assert.deepEqual(r.steps, [{ proto: 'tcp', port: 7000 }, { proto: 'udp', port: 8000 }, { proto: 'icmp', port: 0 }]);
  assert.equal(r.verbose, false);
  assert.deepEqual(r.options, { delayMs: 0, family: 0 });
});

test('every flag, short and long', () => {
  const short = knockOf('-u', '-d', '250', '-6', '-v', 'h', '7000:tcp');
  assert.deepEqual(short.steps, [{ proto: 'udp', port: 7000 }]);
  assert.deepEqual(short.options, { delayMs: 250, family: 6 });
  assert.equal(short.verbose, true);
  const long = knockOf('--udp', '--delay', '250', '--ipv4', '--verbose', 'h', '7000');
  assert.deepEqual(long.options, { delayMs: 250, family: 4 });
  assert.deepEqual(long.steps, [{ proto: 'udp', port: 7000 }]);
  assert.equal(long.verbose, true);
  assert.deepEqual(knockOf('--delay=10', 'h', '1').options.delayMs, 10);
});

test('getopt conventions: bundles, attached values, options after operands, --, abbreviations', () => {
  assert.deepEqual(knockOf('-uvd100', 'h', '1').options, { delayMs: 100, family: 0 });
  assert.equal(knockOf('-uvd100', 'h', '1').verbose, true);
  const late = knockOf('h', '7000', '8000', '-u', '-d', '5');
  assert.deepEqual(late.steps, [{ proto: 'udp', port: 7000 }, { proto: 'udp', port: 8000 }]);
  assert.equal(late.options.delayMs, 5);
  assert.equal(knockOf('-4', '-6', 'h', '1').options.family, 6);
  assert.equal(knockOf('-6', '-4', 'h', '1').options.family, 4);
  assert.deepEqual(knockOf('--', 'h', '1').steps, [{ proto: 'tcp', port: 1 }]);
  assert.equal(knockOf('--verb', 'h', '1').verbose, true);
  assert.equal(knockOf('--del=3', 'h', '1').options.delayMs, 3);
});

test('help and version win as soon as they are seen', () => {
  assert.deepEqual(parse('-h'), { kind: 'help' });
  assert.deepEqual(parse('--help', 'x'), { kind: 'help' });
  assert.deepEqual(parse('-V'), { kind: 'version' });
  assert.deepEqual(parse('h', '1', '--version'), { kind: 'version' });
});

test('service names in steps and --verify', () => {
  const r = knockOf('h', 'ssh', 'http:udp', '--verify', 'ssh');
  assert.deepEqual(r.steps, [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 80 }]);
  assert.deepEqual(r.options.verify, { port: 22, timeoutMs: 3000 });
});

test('--verify and --verify-timeout', () => {
  assert.deepEqual(knockOf('h', '1', '--verify', '2222').options.verify, { port: 2222, timeoutMs: 3000 });
  assert.deepEqual(knockOf('h', '1', '--verify=22', '--verify-timeout=500').options.verify, { port: 22, timeoutMs: 500 });
  usageError(['h', '1', '--verify', '0'], /not a TCP port/);
  usageError(['h', '1', '--verify', 'nosuch'], /not a TCP port/);
  usageError(['h', '1', '--verify-timeout', '500'], /needs --verify PORT/);
  usageError(['h', '1', '--verify', '22', '--verify-timeout', '0'], /verify timeout "0"/);
});

test('usage errors', () => {
  usageError([], /expected HOST and at least one STEP/);
  usageError(['host'], /expected HOST and at least one STEP/);
  usageError(['-d', '-5', 'h', '1'], /^delay cannot be negative$/);
  usageError(['-d-5', 'h', '1'], /^delay cannot be negative$/);
  usageError(['-d', 'abc', 'h', '1'], /delay "abc" is not a whole number/);
  usageError(['-d', '1.5', 'h', '1'], /not a whole number/);
  usageError(['h', '1', '-d'], /option -d needs a value/);
  usageError(['h', '1', '--delay'], /option --delay needs a value/);
  usageError(['-x', 'h', '1'], /unknown option -x/);
  usageError(['--frobnicate', 'h', '1'], /unknown option --frobnicate/);
  usageError(['--ver', 'h', '1'], /ambiguous/);
  usageError(['--udp=yes', 'h', '1'], /takes no value/);
  usageError(['h', '70000'], /out of range/, 'KNOCK_BAD_STEP');
});
