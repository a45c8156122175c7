import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, parseCidr } from './cidr.js';
import { formatAddress, parseAddress } from './address.js';
import { InvalidValueError } from './errors.js';

test('IPv4 networks and bare hosts', () => {
  const c = parseCidr(' 203.0.113.0/24 ');
  assert.equal(c.family, 4);
  assert.equal(c.prefix, 24);
  assert.equal(c.text, '203.0.113.0/24');
  assert.deepEqual(Array.from(c.bytes), [203, 0, 113, 0]);
  assert.equal(parseCidr('198.51.100.7').text, '198.51.100.7/32');
  assert.equal(parseCidr('2001:DB8::').text, '2001:db8::/128');
  assert.equal(parseCidr('2001:db8::/32').text, '2001:db8::/32');
  assert.equal(parseCidr('10.0.0.0 / 8').text, '10.0.0.0/8');
});

test('cidrContains at edge prefixes', () => {
  const all4 = parseCidr('0.0.0.0/0');
  assert.ok(cidrContains(all4, '0.0.0.0'));
  assert.ok(cidrContains(all4, '255.255.255.255'));
  assert.ok(!cidrContains(all4, '::1'), 'family must match');

  const host = parseCidr('192.0.2.1/32');
  assert.ok(cidrContains(host, '192.0.2.1'));
  assert.ok(!cidrContains(host, '192.0.2.0'));
  assert.ok(!cidrContains(host, '192.0.2.2'));

  const odd = parseCidr('198.51.100.0/23'); // 198.51.100.0 - 198.51.101.255
  assert.ok(cidrContains(odd, '198.51.100.0'));
  assert.ok(cidrContains(odd, '198.51.101.255'));
  assert.ok(!cidrContains(odd, '198.51.102.0'));
  assert.ok(!cidrContains(odd, '198.51.99.255'));

  const all6 = parseCidr('::/0');
  assert.ok(cidrContains(all6, '::'));
  assert.ok(cidrContains(all6, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'));
  assert.ok(!cidrContains(all6, '10.0.0.1'));

  const host6 = parseCidr('2001:db8::1/128');
  assert.ok(cidrContains(host6, '2001:db8::1'));
  assert.ok(!cidrContains(host6, '2001:db8::'));
  assert.ok(!cidrContains(host6, '2001:db8::2'));

  // /61: the 4th group keeps its top 13 bits, so 0x0000-0x0007 are inside.
  const p61 = parseCidr('2001:db8:0:8::/61');
  assert.ok(cidrContains(p61, '2001:db8:0:8::'));
  assert.ok(cidrContains(p61, '2001:db8:0:f:ffff:ffff:ffff:ffff'));
  assert.ok(!cidrContains(p61, '2001:db8:0:10::'));
  assert.ok(!cidrContains(p61, '2001:db8:0:7:ffff:ffff:ffff:ffff'));

  const p32 = parseCidr('2001:db8::/32');
  assert.ok(cidrContains(p32, '2001:db8:ffff::1'));
  assert.ok(!cidrContains(p32, '2001:db9::1'));
});

test('IPv4-mapped IPv6 does not match an IPv4 network; junk never matches', () => {
  const c = parseCidr('192.0.2.0/24');
  assert.ok(!cidrContains(c, '::ffff:192.0.2.1'));
  assert.ok(!cidrContains(c, 'not an address'));
  assert.ok(!cidrContains(c, ''));
});

test('bad networks', () => {
  const bad = (text: string, message: RegExp) =>
    assert.throws(() => parseCidr(text), (e: unknown) =>
      e instanceof InvalidValueError && e.code === 'CONFIG_BAD_ADDRESS' && message.test(e.message));
  bad('', /is not an address/);
  bad('example.com', /is not an address/);
  bad('10.0.0.0/33', /expected \/0 to \/32/);
  bad('2001:db8::/129', /expected \/0 to \/128/);
  bad('10.0.0.0/', /bad prefix/);
  bad('10.0.0.0/-1', /bad prefix/);
  bad('10.0.0.0/08', /bad prefix/);
  bad('203.0.113.5/24', /host bits set after \/24; expected the network address, 203\.0\.113\.0\/24/);
  bad('2001:db8::1/64', /expected the network address, 2001:db8::\/64/);
  bad('fe80::1%eth0', /is not an address/);
});

test('address literals: accepted and refused forms', () => {
  for (const ok of ['0.0.0.0', '255.255.255.255', '::', '::1', '1::', '1:2:3:4:5:6:7:8', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', 'A:b::C']) {
    assert.ok(parseAddress(ok), ok);
  }
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.-4', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7',
    '12345::', ':1::', '1::2:', 'g::', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4', '']) {
    assert.equal(parseAddress(bad), undefined, bad);
  }
});

test('canonical text follows RFC 5952', () => {
  const canon = (t: string) => formatAddress(parseAddress(t)!);
  assert.equal(canon('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(canon('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // a lone zero group is not compressed
  assert.equal(canon('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1'); // longest run
  assert.equal(canon('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1'); // first of equal runs
  assert.equal(canon('0:0:0:0:0:0:0:0'), '::');
  assert.equal(canon('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canon('1:0:0:0:0:0:0:0'), '1::');
  assert.equal(canon('::ffff:c000:0201'), '::ffff:192.0.2.1');
  assert.equal(canon('192.0.2.1'), '192.0.2.1');
});
