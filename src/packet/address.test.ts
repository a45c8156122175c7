import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SocketAddress } from 'node:net';
import { formatIPv4, formatIPv6 } from './address.js';
import { formatAddress } from '../config/address.js';

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/[^0-9a-f]/g, ''), 'hex'));
}

// mulberry32: a small seeded PRNG so failures reproduce.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random addresses rich in zero runs, 0xffff groups and small values, so every compression case comes up. */
function randomIPv6(rand: () => number): Uint8Array {
  const b = new Uint8Array(16);
  const style = rand();
  for (let i = 0; i < 8; i++) {
    const r = rand();
    const g = r < 0.5 ? 0 : r < 0.65 ? Math.floor(rand() * 65536) : r < 0.8 ? Math.floor(rand() * 16) : r < 0.9 ? 0xffff : Math.floor(rand() * 256) << 8;
    b[2 * i] = g >> 8;
    b[2 * i + 1] = g & 0xff;
  }
  if (style < 0.1) { b.fill(0, 0, 10); b[10] = 0xff; b[11] = 0xff; } // IPv4-mapped
  else if (style < 0.15) { b.fill(0, 0, 12); } // IPv4-compatible (deprecated)
  return b;
}

function fullText(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}

/** inet_ntop writes ::a.b.c.d when the first six groups (exactly) are zero; RFC 5952 does not. */
function isIPv4Compatible(b: Uint8Array): boolean {
  return b.subarray(0, 12).every((x) => x === 0) && (b[12] !== 0 || b[13] !== 0);
}

test('IPv4 dotted quad', () => {
  assert.equal(formatIPv4(bytes('7f000001'), 0), '127.0.0.1');
  assert.equal(formatIPv4(bytes('00ff00c0a80001'), 3), '192.168.0.1');
  assert.equal(formatIPv4(bytes('ffffffff'), 0), '255.255.255.255');
  assert.equal(formatIPv4(bytes('00000000'), 0), '0.0.0.0');
});

test('IPv6 known cases (RFC 5952 examples and edge cases)', () => {
  const cases: [string, string][] = [
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['fe800000000000000000000000000001', 'fe80::1'],
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // first of two equal runs
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'], // longest run wins
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['20010db8000000000000000000000000', '2001:db8::'],
    ['0000000000000000000000000000ffff', '::ffff'],
    ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
    ['00000000000000000000ffff00000000', '::ffff:0.0.0.0'],
    ['000000000000000000000000c0000201', '::c000:201'], // IPv4-compatible stays hex
    ['0000000000000000ffff000001020304', '::ffff:0:102:304'], // not mapped: wrong position
    ['20010DB8ABCD00120000000000000000', '2001:db8:abcd:12::'],
    ['0001000000000000000000000000000f', '1::f'],
    ['ffffffffffffffffffffffffffffffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['00fe0000000000000000000000000a0b', 'fe::a0b'],
  ];
  for (const [hex, text] of cases) assert.equal(formatIPv6(bytes(hex.toLowerCase()), 0), text, hex);
  assert.equal(formatIPv6(bytes('aaaa' + '00000000000000000000000000000001'), 2), '::1');
});

test('IPv6 agrees with inet_ntop (net.SocketAddress), the URL serializer and the config module on 30k random addresses', () => {
  const rand = prng(5952);
  for (let n = 0; n < 30_000; n++) {
    const b = randomIPv6(rand);
    const ours = formatIPv6(b, 0);
    const full = fullText(b);
    if (!isIPv4Compatible(b)) assert.equal(ours, new SocketAddress({ address: full, family: 'ipv6' }).address, full);
    const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
    if (!mapped) assert.equal(ours, new URL(`http://[${full}]`).hostname.slice(1, -1), full);
    assert.equal(ours, formatAddress({ family: 6, bytes: b }), full);
  }
});
