import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrantStateError, parseGrantState, serializeGrantState } from './state-file.js';
import type { GrantRecord } from './record.js';

const grant: GrantRecord = {
  door: 'rdp', address: '192.0.2.7', family: 4, services: [{ proto: 'tcp', port: 22 }],
  forwards: [{ service: { proto: 'tcp', port: 13389 }, host: '10.1.0.2', port: 3389 }], expiresAt: 1_700_000_030_000,
};

test('round trip', () => {
  const parsed = parseGrantState(serializeGrantState('iptables', [grant]));
  assert.equal(parsed.backend, 'iptables');
  assert.deepEqual(parsed.grants, [grant]);
  assert.deepEqual(parsed.rejected, []);
});

test('unusable records are left out and named; addresses are canonicalised', () => {
  const text = JSON.stringify({ version: 1, backend: 'nftables', grants: [
    { ...grant, address: '2001:DB8::0:1', family: 6, forwards: [] },
    { ...grant, address: '192.0.2.7; rm -rf /' },
    { ...grant, family: 6 },
    { ...grant, services: [{ proto: 'icmp', port: 1 }] },
    { ...grant, forwards: [{ service: { proto: 'tcp', port: 1 }, host: 'fd00::1', port: 1 }] },
    'nonsense',
  ] });
  const parsed = parseGrantState(text);
  assert.deepEqual(parsed.grants.map((g) => g.address), ['2001:db8::1']);
  assert.equal(parsed.rejected.length, 5);
});

test('a file that is not a grant state file is refused with a stable code', () => {
  for (const text of ['', '{', '[]', '{"version":2,"backend":"x","grants":[]}', '{"version":1,"grants":[]}']) {
    assert.throws(() => parseGrantState(text), (e: unknown) => e instanceof GrantStateError && e.code === 'STATE_FILE_CORRUPT');
  }
});
