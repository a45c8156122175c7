// What encodeSpa() refuses (and why), key rules, and describeSpa()'s layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSpa, describeSpa, encodeSpa, precheck, replayDigest, validateSpaKeys } from './codec.js';
import { SpaError, type EncodeOptions, type SpaErrorCode, type SpaKeys, type SpaMessage } from './types.js';

const MSG: SpaMessage = { random: '1234567890123456', username: 'root', timestamp: 1_700_000_000, version: '3.0.0', type: 1, allowIp: '127.0.0.2', access: [{ proto: 'tcp', port: 22 }] };
const KEYS: SpaKeys = { encryption: Buffer.from('fwknop-test-pass'), hmac: Buffer.from('fwknop-hmac-pass') };

function throwsCode(f: () => unknown, code: SpaErrorCode, re?: RegExp, what = ''): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof SpaError, `${what}: ${String(e)}`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    if (re) assert.match(e.message, re);
    return true;
  });
}

test('encodeSpa refuses messages fwknopd would refuse, as SPA_BAD_FIELDS', () => {
  const bad: Array<[string, Partial<SpaMessage> & Record<string, unknown>]> = [
    ['15-digit random', { random: '123456789012345' }], ['random with a letter', { random: '123456789012345x' }],
    ['empty user', { username: '' }], ['49-char user', { username: 'a'.repeat(49) }], ['user with :', { username: 'a:b' }],
    ['user with é', { username: 'caf\u00e9' }], ['negative time', { timestamp: -1 }], ['2^31', { timestamp: 2 ** 31 }],
    ['fractional time', { timestamp: 1.5 }], ['empty version', { version: '' }], ['9-char version', { version: '123456789' }],
    ['type 7', { type: 7 as 1 }], ['bad allow IP', { allowIp: '1.2.3.256' }], ['allow IP hostname', { allowIp: 'example.com' }],
    ['no access', { access: [] }], ['icmp', { access: [{ proto: 'icmp', port: 8 }] }], ['none', { access: [{ proto: 'none', port: 0 }] }],
    ['port 0', { access: [{ proto: 'tcp', port: 0 }] }], ['port 65536', { access: [{ proto: 'udp', port: 65536 }] }],
    ['command on type 1', { command: 'ls' }], ['NAT on type 1', { nat: { host: '10.0.0.1', port: 22 } }],
    ['timeout on type 1', { clientTimeout: 30 }], ['type 2 without NAT', { type: 2 }], ['type 3 without timeout', { type: 3 }],
    ['type 3 timeout 0', { type: 3, clientTimeout: 0 }], ['type 3 timeout 65537', { type: 3, clientTimeout: 65537 }],
    ['type 0 with access', { type: 0, command: 'ls' }], ['type 0 without command', { type: 0, access: [] }],
    ['type 0 command with newline', { type: 0, access: [], command: 'ls\nrm' }], ['bad NAT host', { type: 2, nat: { host: 'a b', port: 22 } }],
    ['NAT port 0', { type: 2, nat: { host: '10.0.0.1', port: 0 } }], ['empty server auth', { serverAuth: '' }],
    ['long message', { access: Array.from({ length: 20 }, (_, i) => ({ proto: 'tcp' as const, port: 10000 + i })) }],
  ];
  for (const [what, change] of bad) throwsCode(() => encodeSpa({ ...MSG, ...change } as SpaMessage, KEYS), 'SPA_BAD_FIELDS', undefined, what);
  throwsCode(() => encodeSpa(MSG, KEYS, { digest: 'sha224' } as unknown as EncodeOptions), 'SPA_BAD_FIELDS', /digest/);
  throwsCode(() => encodeSpa(MSG, KEYS, { salt: Buffer.alloc(7) }), 'SPA_BAD_FIELDS', /salt/);
});

test('encodeSpa refuses packets of 400 chars or more (GPG to fwknopd) and under 140 (ignored by fwknopd)', () => {
  const big: SpaMessage = { ...MSG, username: 'u'.repeat(48), access: [{ proto: 'tcp', port: 22 }, { proto: 'tcp', port: 443 }, { proto: 'udp', port: 53 }] };
  throwsCode(() => encodeSpa(big, { ...KEYS, hmacDigest: 'sha512' }, { digest: 'sha512' }), 'SPA_BAD_FIELDS', /400 or more/);
  assert.ok(encodeSpa(big, KEYS).length < 400, 'the same message fits with SHA-256');
  const tiny: SpaMessage = { ...MSG, username: 'a', timestamp: 0, allowIp: '0.0.0.0', access: [{ proto: 'tcp', port: 1 }] };
  throwsCode(() => encodeSpa(tiny, { encryption: KEYS.encryption }, { digest: 'md5' }), 'SPA_BAD_FIELDS', /shorter than 140/);
  assert.ok(encodeSpa(tiny, KEYS, { digest: 'md5' }).length >= 140, 'an HMAC makes it long enough');
});

test('key rules: lengths, HMAC ≠ encryption key, no legacy with HMAC, known types and modes', () => {
  const cases: Array<[SpaKeys, RegExp]> = [
    [{ encryption: Buffer.alloc(0) }, /1–32/], [{ encryption: Buffer.alloc(33, 1) }, /1–32/],
    [{ encryption: Buffer.from('k'), hmac: Buffer.alloc(0) }, /1–128/], [{ encryption: Buffer.from('k'), hmac: Buffer.alloc(129, 1) }, /1–128/],
    [{ encryption: Buffer.from('same'), hmac: Buffer.from('same') }, /differ/],
    [{ encryption: Buffer.from('k'), mode: 'ctr' as 'cbc' }, /mode/],
    [{ encryption: Buffer.from('k'), hmac: Buffer.from('h'), hmacDigest: 'sha224' as 'sha256' }, /HMAC digest/],
    [{ encryption: 'string' as unknown as Uint8Array }, /bytes/],
  ];
  for (const [keys, re] of cases) {
    throwsCode(() => encodeSpa(MSG, keys), 'SPA_BAD_KEY', re);
    const r = decodeSpa('8'.repeat(200), keys);
    assert.ok(!r.ok && r.error.code === 'SPA_BAD_KEY', re.source);
    assert.equal(validateSpaKeys(keys)?.code, 'SPA_BAD_KEY');
  }
  const legacyHmac: SpaKeys = { encryption: Buffer.from('short'), hmac: Buffer.from('h'), mode: 'legacy' };
  throwsCode(() => encodeSpa(MSG, legacyHmac), 'SPA_BAD_KEY', /legacy/);
  assert.equal(validateSpaKeys(legacyHmac, true)?.code, 'SPA_BAD_KEY');
  assert.equal(validateSpaKeys(legacyHmac), undefined, 'decoding such a stanza is allowed');
  assert.equal(validateSpaKeys({ encryption: Buffer.alloc(32, 1), hmac: Buffer.alloc(128, 2), hmacDigest: 'sha3-512' }), undefined);
  const p = encodeSpa(MSG, { encryption: Buffer.alloc(32, 1), hmac: Buffer.alloc(128, 2), hmacDigest: 'sha3-512' });
  assert.ok(decodeSpa(p, { encryption: Buffer.alloc(32, 1), hmac: Buffer.alloc(128, 2), hmacDigest: 'sha3-512' }).ok);
  const legacy = encodeSpa(MSG, { encryption: Buffer.from('a-key-longer-than-16'), mode: 'legacy' });
  assert.ok(decodeSpa(legacy, { encryption: Buffer.from('a-key-longer-thaXXXX'), mode: 'legacy' }).ok, 'legacy mode uses only 16 key bytes');
});

test('describeSpa prints fwknop -v\'s dump layout', () => {
  const keys: SpaKeys = { ...KEYS, hmacDigest: 'sha3-256' };
  const m: SpaMessage = { ...MSG, type: 6, access: [{ proto: 'udp', port: 40022 }], nat: { host: 'db.internal', port: 5432 }, clientTimeout: 30, serverAuth: 'crypt' };
  const r = decodeSpa(encodeSpa(m, keys, { digest: 'sha384' }), keys);
  assert.ok(r.ok);
  const lines = describeSpa(r.value);
  assert.deepEqual(lines.slice(0, 2), ['SPA Field Values:', '=================']);
  assert.deepEqual(lines.slice(2, 15), [
    '   Random Value: 1234567890123456', '       Username: root', '      Timestamp: 1700000000', '    FKO Version: 3.0.0',
    '   Message Type: 6 (Client timeout local NAT access msg)', ' Message String: 127.0.0.2,udp/40022',
    '     Nat Access: db.internal,5432', '    Server Auth: crypt', ' Client Timeout: 30', '    Digest Type: 4 (SHA384)',
    '      HMAC Type: 6 (SHA3_256)', 'Encryption Type: 1 (Rijndael)', 'Encryption Mode: 2 (CBC)',
  ]);
  assert.equal(lines[15], `   Encoded Data: ${r.value.encoded}`);
  assert.equal(lines[17], `           HMAC: ${r.value.hmac}`);
  assert.equal(lines[18], ` Final SPA Data: ${r.value.packet}`);
  const cmd = decodeSpa(encodeSpa({ ...MSG, type: 0, access: [], command: 'echo hello' }, KEYS), KEYS);
  assert.ok(cmd.ok);
  assert.equal(describeSpa(cmd.value)[6], '   Message Type: 0 (Command msg)');
  assert.equal(describeSpa(cmd.value)[7], ' Message String: 127.0.0.2,echo hello');
});

test('precheck() is the crypto-free first stage of the decoder; replayDigest() is the digest.cache key of fwknopd', () => {
  const p = encodeSpa(MSG, KEYS);
  assert.equal(precheck(p), undefined);
  assert.equal(precheck(Buffer.from(p)), undefined);
  assert.equal(precheck(p.slice(0, 139)), 'SPA_TOO_SHORT');
  assert.equal(precheck(p + 'A'.repeat(1400)), 'SPA_TOO_LONG');
  assert.equal(precheck('U2FsdGVkX1' + p), 'SPA_PREFIXED');
  assert.equal(precheck(p + '\n'), 'SPA_NOT_BASE64');
  assert.equal(precheck('hQ' + p), 'SPA_GPG');
  assert.equal(precheck(p + 'A'.repeat(200)), 'SPA_GPG');
  const r = decodeSpa(p, KEYS);
  assert.ok(r.ok && r.value.replayDigest === replayDigest(p) && /^[A-Za-z0-9+/]{43}$/.test(r.value.replayDigest));
  // A different last character (the packet is random: it may already end in 'A').
  const other = p.endsWith('A') ? 'B' : 'A';
  assert.notEqual(replayDigest(p.slice(0, -1) + other), replayDigest(p));
});
