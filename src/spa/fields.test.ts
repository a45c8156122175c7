// The plaintext rules of fko_decode_spa_data(), through the whole decoder:
// each case is a hand-made field string, digested, encrypted and MACed like a
// real packet, so only the field checks can refuse it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b64encode } from './base64.js';
import { encryptRijndael } from './cipher.js';
import { decodeSpa } from './codec.js';
import { digestB64 } from './digest.js';
import { hmacB64 } from './hmac.js';
import type { DecodeResult, InnerDigest, SpaErrorCode } from './types.js';

const KEYS = { encryption: Buffer.from('fwknop-test-pass'), hmac: Buffer.from('fwknop-hmac-pass') };
const SALT = Buffer.from('0102030405060708', 'hex');
const R = '1234567890123456';
const U = b64encode('root');
const T = '1700000000';
const M = b64encode('127.0.0.2,tcp/22');

/** A packet around an arbitrary plaintext (digest appended unless `digest` is a literal string). */
function craft(encoded: string, digest: InnerDigest | { literal: string } = 'sha256'): DecodeResult {
  const d = typeof digest === 'string' ? digestB64(digest, encoded) : digest.literal;
  const wire = encryptRijndael(`${encoded}:${d}`, KEYS.encryption, 'cbc', SALT).slice(10);
  return decodeSpa(wire + hmacB64('sha256', KEYS.hmac, wire), KEYS);
}

function ok(encoded: string): NonNullable<Extract<DecodeResult, { ok: true }>['value']> {
  const r = craft(encoded);
  assert.ok(r.ok, `${encoded}: ${r.ok ? '' : r.error.code + ' ' + r.error.message}`);
  return r.value;
}

function refused(encoded: string, code: SpaErrorCode = 'SPA_BAD_FIELDS', digest?: InnerDigest | { literal: string }): void {
  const r = craft(encoded, digest);
  assert.ok(!r.ok, `${encoded} should be refused`);
  assert.equal(r.error.code, code, `${encoded}: ${r.error.message}`);
}

const base = (type: number, ...rest: string[]): string => [R, U, T, '3.0.0', String(type), ...rest].join(':');

test('fields per message type: optional server auth, NAT, client timeout (parse_msg_type() caps)', () => {
  assert.equal(ok(base(1, M)).message.serverAuth, undefined);
  assert.equal(ok(base(1, M, b64encode('crypt,pw'))).message.serverAuth, 'crypt,pw');
  refused(base(1, M, b64encode('a'), b64encode('b')));
  refused(base(0, b64encode('127.0.0.2,echo hi'), b64encode('a'), '1'));
  assert.equal(ok(base(3, M, '45')).message.clientTimeout, 45);
  const sa3 = ok(base(3, M, b64encode('auth'), '45')).message;
  assert.equal(sa3.serverAuth, 'auth');
  assert.equal(sa3.clientTimeout, 45);
  refused(base(3, M));
  refused(base(3, M, 'a', 'b', '45'));
  const t4 = ok(base(4, M, b64encode('192.168.10.5,22'), '60')).message;
  assert.deepEqual(t4.nat, { host: '192.168.10.5', port: 22 });
  assert.equal(ok(base(4, M, b64encode('192.168.10.5,22'), b64encode('x'), '60')).message.serverAuth, 'x');
  refused(base(4, M, '60'));
  refused(base(2, M));
  assert.equal(ok(base(2, M, b64encode('192.168.10.5,22'), b64encode('x'))).message.serverAuth, 'x');
  refused(base(2, M, b64encode('192.168.10.5,22'), b64encode('x'), '5'));
  assert.equal(ok(base(5, M, b64encode('127.0.0.1,22'))).message.type, 5);
  assert.equal(ok(base(6, M, b64encode('127.0.0.1,22'), '30')).message.clientTimeout, 30);
});

test('client timeout: digits only, 0–65536, canonical', () => {
  assert.equal(ok(base(3, M, '65536')).message.clientTimeout, 65536);
  assert.equal(ok(base(3, M, '0')).message.clientTimeout, 0);
  for (const t of ['65537', '045', '-1', '+5', '4 5', '']) refused(base(3, M, t));
});

test('rand, username, timestamp, version and type fields', () => {
  refused(['123456789012345a', U, T, '3.0.0', '1', M].join(':'), 'SPA_DECRYPT_FAILED');
  refused(['12345678901234567', U, T, '3.0.0', '1', M].join(':'), 'SPA_DECRYPT_FAILED');
  assert.equal(ok([R, b64encode('a'.repeat(48)), T, '3.0.0', '1', M].join(':')).message.username.length, 48);
  assert.equal(ok([R, b64encode('John Doe-1_x.y@z'), T, '3.0.0', '1', M].join(':')).message.username, 'John Doe-1_x.y@z');
  for (const u of ['a'.repeat(49), 'a:b', 'a/b', 'a,b', 'a=b', 'a\tb', 'caf\u00e9', '']) refused([R, b64encode(u), T, '3.0.0', '1', M].join(':'));
  refused([R, 'cm9vdA==', T, '3.0.0', '1', M].join(':'));
  assert.equal(ok([R, U, '2147483647', '3.0.0', '1', M].join(':')).message.timestamp, 2147483647);
  assert.equal(ok([R, U, '0', '3.0.0', '1', M].join(':')).message.timestamp, 0);
  for (const ts of ['2147483648', '1234567890123', '+1700000000', ' 1700000000', '1700000000x', '-1', '01700000000']) refused([R, U, ts, '3.0.0', '1', M].join(':'));
  assert.equal(ok([R, U, T, '12.34.56', '1', M].join(':')).message.version, '12.34.56');
  refused([R, U, T, '123456789', '1', M].join(':'));
  for (const t of ['7', '01', '-1', '+1', 'a', '']) refused([R, U, T, '3.0.0', t, M].join(':'));
});

test('access messages: ip,tcp|udp/port[,…] (validate_access_msg(), MAX_PROTO_STR_LEN)', () => {
  assert.deepEqual(ok(base(1, b64encode('0.0.0.0,tcp/22,udp/53,tcp/65535'))).message.access,
    [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 53 }, { proto: 'tcp', port: 65535 }]);
  assert.equal(ok(base(1, b64encode('0.0.0.0,tcp/1'))).message.allowIp, '0.0.0.0');
  for (const m of ['127.0.0.2,tcp/0', '127.0.0.2,tcp/65536', '127.0.0.2,icmp/8', '127.0.0.2,none/0', '127.0.0.2,TCP/22',
    '127.0.0.2,tcp/022', '127.0.0.2,tcp/22,', '127.0.0.2,tcp/22, udp/53', '127.0.0.2,tcp22', '127.0.0.2,', '127.0.0.2',
    '1.2.3,tcp/22', '256.1.1.1,tcp/22', '01.2.3.4,tcp/22', '::1,tcp/22', 'host,tcp/22']) refused(base(1, b64encode(m)));
});

test('command messages (type 0): ip,command', () => {
  const c = ok(base(0, b64encode('127.0.0.2,echo hello; ls -l /tmp'))).message;
  assert.equal(c.command, 'echo hello; ls -l /tmp');
  assert.deepEqual(c.access, []);
  for (const m of ['127.0.0.2,', '127.0.0.2', 'x,echo']) refused(base(0, b64encode(m)));
});

test('NAT access: host,port, one comma, IPv4 or hostname (validate_nat_access_msg())', () => {
  assert.deepEqual(ok(base(2, M, b64encode('internal.example.,2222'))).message.nat, { host: 'internal.example.', port: 2222 });
  for (const n of ['a,b,22', 'host/x,22', ',22', 'h,0', 'h,65536', 'h', 'h,', 'h x,22', '1.2.3.999,22', '-h,22', `${'a'.repeat(71)},22`]) {
    refused(base(2, M, b64encode(n)));
  }
});

test('digest: inferred from its length, SHA3 tried after SHA2, any mismatch refused', () => {
  for (const d of ['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-512'] as const) {
    const r = craft(base(1, M), d);
    assert.ok(r.ok && r.value.digest === d, d);
  }
  refused(base(1, M), 'SPA_BAD_DIGEST', { literal: digestB64('sha256', base(1, M)).slice(1) });
  refused(base(1, M), 'SPA_BAD_DIGEST', { literal: digestB64('sha256', base(1, M + 'x')) });
  refused(base(1, M), 'SPA_BAD_DIGEST', { literal: '' });
});

test('plaintext shape: isprint() everywhere, at least 7 fields, no empty field', () => {
  refused([R, U, T, '3.0\t0', '1', M].join(':'));
  refused([R, U, T, '3.0.0', '1'].join(':'));
  refused([R, U, T, '', '1', M].join(':'));
  refused([R, '', T, '3.0.0', '1', M].join(':'));
  refused(base(1, ''));
});
