import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDecoys, isDecoyStep, parseDecoys } from './decoys.js';
import { InvalidValueError } from './errors.js';

test('auto and off, any case', () => {
  assert.deepEqual(parseDecoys('auto'), { mode: 'auto' });
  assert.deepEqual(parseDecoys('OFF'), { mode: 'off' });
});

test('a list of ranges; protocol defaults to tcp', () => {
  const p = parseDecoys('1-1023:tcp, 3000-3999, 53:udp, 5000 - 5001 : UDP');
  assert.deepEqual(p, {
    mode: 'ports',
    tcp: [{ from: 1, to: 1023 }, { from: 3000, to: 3999 }],
    udp: [{ from: 53, to: 53 }, { from: 5000, to: 5001 }],
  });
  assert.equal(formatDecoys(p), '1-1023/tcp 3000-3999/tcp 53/udp 5000-5001/udp');
  assert.ok(isDecoyStep(p, { proto: 'tcp', port: 1023 }));
  assert.ok(isDecoyStep(p, { proto: 'tcp', port: 3000 }));
  assert.ok(!isDecoyStep(p, { proto: 'tcp', port: 1024 }));
  assert.ok(!isDecoyStep(p, { proto: 'tcp', port: 5000 }));
  assert.ok(isDecoyStep(p, { proto: 'udp', port: 5001 }));
  assert.ok(isDecoyStep(p, { proto: 'udp', port: 53 }));
  assert.ok(!isDecoyStep(p, { proto: 'icmp', port: 0 }));
  assert.ok(!isDecoyStep({ mode: 'auto' }, { proto: 'tcp', port: 1 }));
});

test('bad lists', () => {
  const bad = (text: string, code: string) =>
    assert.throws(() => parseDecoys(text), (e: unknown) => e instanceof InvalidValueError && e.code === code, text);
  bad('', 'CONFIG_BAD_VALUE');
  bad('yes', 'CONFIG_BAD_VALUE');
  bad('1-', 'CONFIG_BAD_VALUE');
  bad('1-1023,', 'CONFIG_BAD_VALUE');
  bad('0-10', 'CONFIG_BAD_PORT');
  bad('10-5', 'CONFIG_BAD_PORT');
  bad('1-65536', 'CONFIG_BAD_PORT');
  bad('53:icmp', 'CONFIG_BAD_PROTOCOL');
});
