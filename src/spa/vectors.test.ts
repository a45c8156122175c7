// The research vectors (shared/research/fwknop-vectors): every captured packet
// decodes to exactly what fwknop 2.6.10 printed, and every deterministic
// vector is rebuilt byte for byte, intermediates included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSpa, describeSpa, encodeSpaParts, precheck, replayDigest, spaFieldValues } from './codec.js';
import { evpBytesToKey, rijndaelPassword } from './cipher.js';
import { b64encode } from './base64.js';
import { hmacB64 } from './hmac.js';
import { CAPTURED, DETERMINISTIC, type CapturedVector } from './testdata/vectors.js';
import { keysOfCaptured, keysOfDeterministic, messageOfDeterministic } from './testdata/helpers.js';

const RESEARCH = '/work/shared/research/fwknop-vectors';

function checkCaptured(v: CapturedVector): void {
  const keys = keysOfCaptured(v);
  if (v.encryption_mode === 'asymmetric') {
    assert.equal(precheck(v.packet), 'SPA_GPG', v.name);
    const r = decodeSpa(v.packet, keys);
    assert.ok(!r.ok && r.error.code === 'SPA_GPG' && /GPG/.test(r.error.message), v.name);
    return;
  }
  if (v.encryption_mode !== 'cbc' && v.encryption_mode !== 'legacy') {
    const r = decodeSpa(v.packet, { ...keys, mode: 'cbc' });
    assert.ok(!r.ok && r.error.code === 'SPA_DECRYPT_FAILED', `${v.name}: ${v.encryption_mode} refused cleanly`);
    return;
  }
  const r = decodeSpa(v.packet, keys);
  assert.ok(r.ok, `${v.name}: ${r.ok ? '' : r.error.code + ' ' + r.error.message}`);
  assert.deepEqual(Object.fromEntries(spaFieldValues(r.value)), v.fwknop_printed_fields, v.name);
  assert.equal(describeSpa(r.value).join('\n'), v.fwknop_dump, `${v.name}: the -v dump, byte for byte`);
  if (v.replayDigestSha256) assert.equal(r.value.replayDigest, v.replayDigestSha256, `${v.name}: digest.cache key`);
  assert.equal(replayDigest(Buffer.from(v.packet, 'latin1')), r.value.replayDigest);
  // The same packet as bytes decodes the same.
  const rb = decodeSpa(Buffer.from(v.packet, 'latin1'), keys);
  assert.ok(rb.ok && rb.value.encoded === r.value.encoded);
  if (keys.hmac) {
    const { hmac: _hmac, ...noHmac } = keys;
    const r2 = decodeSpa(v.packet, noHmac);
    assert.ok(!r2.ok, `${v.name}: an HMAC packet does not decode without the HMAC key`);
    const other = keys.hmacDigest === 'sha512' ? 'sha256' : 'sha512';
    const r3 = decodeSpa(v.packet, { ...keys, hmacDigest: other });
    assert.ok(!r3.ok && r3.error.code === 'SPA_BAD_HMAC', `${v.name}: wrong HMAC type`);
  }
  if (keys.mode === 'legacy') {
    const r4 = decodeSpa(v.packet, { ...keys, mode: 'cbc' });
    assert.ok(!r4.ok && r4.error.code === 'SPA_DECRYPT_FAILED', `${v.name}: legacy packet fails in CBC mode`);
  }
}

test('every captured fwknop 2.6.10 packet decodes to exactly the fields fwknop printed', () => {
  assert.ok(CAPTURED.length >= 5);
  for (const v of CAPTURED) checkCaptured(v);
  const modes = new Set(CAPTURED.map((v) => `${v.encryption_mode}/${v.hmac_type ?? 'none'}`));
  assert.ok(modes.has('cbc/sha256') && modes.has('cbc/none') && modes.has('legacy/none'));
});

test('the embedded vectors match the research folder, and any vector added there passes too', { skip: !existsSync(RESEARCH) }, () => {
  const files = readdirSync(RESEARCH).filter((f) => /^\d\d_.*\.json$/.test(f)).sort();
  for (const f of files) {
    const j = JSON.parse(readFileSync(join(RESEARCH, f), 'utf8')) as Record<string, unknown> & { fwknop_stdout: string; independent_decode?: { replayDigestSha256?: string } };
    const v: CapturedVector = {
      name: String(j['name']), key_base64: (j['key_base64'] ?? null) as string | null, key_passphrase: (j['key_passphrase'] ?? null) as string | null,
      hmac_key_base64: (j['hmac_key_base64'] ?? null) as string | null, hmac_key_passphrase: (j['hmac_key_passphrase'] ?? null) as string | null,
      hmac_type: (j['hmac_type'] ?? null) as string | null, encryption_mode: String(j['encryption_mode']), packet: String(j['packet']),
      fwknop_dump: j.fwknop_stdout.split('\n\n')[0]!, fwknop_printed_fields: j['fwknop_printed_fields'] as Record<string, string>,
      replayDigestSha256: j.independent_decode?.replayDigestSha256 ?? null,
    };
    const embedded = CAPTURED.find((c) => c.name === v.name);
    if (embedded) assert.deepEqual(embedded, v, `${f} drifted from src/spa/testdata/vectors.ts`);
    checkCaptured(v);
  }
  const det = readdirSync(join(RESEARCH, 'deterministic')).filter((f) => f.endsWith('.json'));
  assert.equal(det.length, DETERMINISTIC.length);
  for (const f of det) {
    const j = JSON.parse(readFileSync(join(RESEARCH, 'deterministic', f), 'utf8')) as { name: string; inputs: unknown; expected: unknown };
    assert.deepEqual(DETERMINISTIC.find((d) => d.name === j.name), { name: j.name, inputs: j.inputs, expected: j.expected });
  }
});

test('every deterministic vector is rebuilt byte for byte, intermediates included', () => {
  assert.equal(DETERMINISTIC.length, 5);
  for (const v of DETERMINISTIC) {
    const e = v.expected;
    const keys = keysOfDeterministic(v);
    const salt = Buffer.from(v.inputs.salt_hex, 'hex');
    const p = encodeSpaParts(messageOfDeterministic(v), keys, { digest: v.inputs.digest as 'sha256', salt });
    assert.equal(p.encoded, e.encoded_fields, `${v.name} encoded`);
    assert.equal(p.innerDigest, e.inner_digest_b64, `${v.name} digest`);
    assert.equal(p.plaintext, e.plaintext_before_padding, `${v.name} plaintext`);
    const kiv = evpBytesToKey(rijndaelPassword(keys.encryption, 'cbc'), salt);
    assert.equal(kiv.key.toString('hex'), e.evp_bytes_to_key.aes256_key_hex, `${v.name} EVP key`);
    assert.equal(kiv.iv.toString('hex'), e.evp_bytes_to_key.iv_hex, `${v.name} EVP IV`);
    assert.equal(p.ciphertext, e.ciphertext_b64_with_Salted_prefix, `${v.name} ciphertext`);
    assert.equal(p.hmac ?? null, e.hmac_b64, `${v.name} hmac`);
    assert.equal(p.packet, e.wire_packet, `${v.name} wire packet`);
    assert.equal(p.packet.length, e.wire_length);
    const r = decodeSpa(p.packet, keys);
    assert.ok(r.ok, v.name);
    assert.deepEqual(r.value.message, messageOfDeterministic(v));
  }
});

test('legacy IV mode: the key is right-padded with "0" to 16 bytes, longer keys cut to 16', () => {
  assert.equal(rijndaelPassword(Buffer.from('short'), 'legacy').toString(), 'short00000000000');
  assert.equal(rijndaelPassword(Buffer.from('0123456789abcdefXYZ'), 'legacy').toString(), '0123456789abcdef');
  assert.equal(rijndaelPassword(Buffer.from('short'), 'cbc').toString(), 'short');
});

// No CTR or GPG vector is in the research folder yet (fwknop.md lists 17 and 20); build stand-ins.
test('a CTR-mode packet (fwknop -M CTR) is refused cleanly after its HMAC checks out', () => {
  const v = DETERMINISTIC[0]!;
  const keys = keysOfDeterministic(v);
  const salt = Buffer.from('0011223344556677', 'hex');
  const pt = Buffer.from(v.expected.plaintext_before_padding, 'latin1');
  const pad = 16 - (pt.length % 16);
  const { key, iv } = evpBytesToKey(keys.encryption, salt);
  const c = crypto.createCipheriv('aes-256-ctr', key, iv);
  const ct = Buffer.concat([c.update(Buffer.concat([pt, Buffer.alloc(pad, pad)])), c.final()]);
  const wire = b64encode(Buffer.concat([Buffer.from('Salted__'), salt, ct])).slice(10);
  const packet = wire + hmacB64('sha256', keys.hmac!, wire);
  const r = decodeSpa(packet, keys);
  assert.ok(!r.ok && r.error.code === 'SPA_DECRYPT_FAILED', r.ok ? 'decoded?' : r.error.code);
});

test('GPG packets (≥ 400 chars, or an "hQ" start) are refused as SPA_GPG with a clear message', () => {
  const gpgWire = b64encode(crypto.randomBytes(780)).slice(2); // ~1038 chars like vector 20, "hQ" stripped
  for (const p of [gpgWire, 'hQ' + gpgWire.slice(0, 300), 'hQEM' + 'A'.repeat(200), '8' + 'A'.repeat(399)]) {
    const r = decodeSpa(p, keysOfDeterministic(DETERMINISTIC[0]!));
    assert.ok(!r.ok && r.error.code === 'SPA_GPG', p.slice(0, 8));
    assert.match(r.error.message, /GPG.*not supported/);
  }
});
