import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { localAddresses, sameAddresses, type LocalAddresses } from './local-addresses.js';

function info(address: string, scopeid?: number): NetworkInterfaceInfo {
  const v6 = address.includes(':');
  const base = { address, netmask: '', mac: '00:00:00:00:00:00', internal: false, cidr: null };
  return v6 ? { ...base, family: 'IPv6', scopeid: scopeid ?? 0 } : { ...base, family: 'IPv4' };
}

const TABLE = {
  lo: [info('127.0.0.1'), info('::1')],
  eth0: [info('192.0.2.2'), info('fd00::2'), info('fe80::fc:ff:fe00:1%eth0', 2), info('FD00:0:0::2'), info('192.0.2.2')],
  sit0: [info('::1.2.3.4'), info('::ffff:10.0.0.1')],
};

test('addresses of the named interfaces, canonical, sorted, deduplicated', () => {
  assert.deepEqual(localAddresses(['eth0'], false, () => TABLE), { v4: ['192.0.2.2'], v6: ['fd00::2', 'fe80::fc:ff:fe00:1'] });
  assert.deepEqual(localAddresses(['eth0', 'lo'], false, () => TABLE), { v4: ['127.0.0.1', '192.0.2.2'], v6: ['::1', 'fd00::2', 'fe80::fc:ff:fe00:1'] });
  // IPv4-compatible stays hexadecimal, IPv4-mapped keeps its dotted quad: what the decoder prints.
  assert.deepEqual(localAddresses(['sit0'], false, () => TABLE), { v4: [], v6: ['::102:304', '::ffff:10.0.0.1'] });
});

test('any means every interface; -4 drops IPv6; unknown interfaces have none', () => {
  const all = localAddresses(['any'], false, () => TABLE);
  assert.deepEqual(all.v4, ['127.0.0.1', '192.0.2.2']);
  assert.equal(all.v6.length, 5);
  assert.deepEqual(localAddresses(['any'], true, () => TABLE), { v4: ['127.0.0.1', '192.0.2.2'], v6: [] });
  assert.deepEqual(localAddresses(['wg9'], false, () => TABLE), { v4: [], v6: [] });
});

test('reads the real interfaces by default', () => {
  const lo = localAddresses(['lo'], false);
  if (lo.v4.length === 0) return; // no loopback address in this sandbox
  assert.ok(lo.v4.includes('127.0.0.1'));
});

test('sameAddresses compares both families', () => {
  const a: LocalAddresses = { v4: ['1.1.1.1'], v6: ['::1'] };
  assert.equal(sameAddresses(a, { v4: ['1.1.1.1'], v6: ['::1'] }), true);
  assert.equal(sameAddresses(a, { v4: ['1.1.1.1'], v6: [] }), false);
  assert.equal(sameAddresses(a, { v4: ['1.1.1.2'], v6: ['::1'] }), false);
});

