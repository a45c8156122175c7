import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../cli/keygen.js';
import { DEFAULT_HMAC_KEY_LEN, fwknop2Tokens, generateKeys, keygenLines, parseKeygenArgs } from './keygen.js';
import { encodeQr, renderUtf8 } from './qr.js';

/** Deterministic "random" bytes: 0, 1, 2, … across calls. */
function counter(): (n: number) => Uint8Array {
  let next = 0;
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff);
}

async function keygen(...argv: string[]) {
  let out = '';
  const err: string[] = [];
  const code = await run(argv, { randomBytes: counter(), out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`), err: (l) => err.push(l) });
  return { code, out, err };
}

// The shape of `fwknop --key-gen` output (fwknop-vectors/keygen.json):
// "KEY_BASE64: " + 44 chars, "HMAC_KEY_BASE64: " + 88 chars, `=` padding kept.
const FWKNOP_LINE = /^KEY_BASE64: [A-Za-z0-9+/]{43}=\nHMAC_KEY_BASE64: [A-Za-z0-9+/]{86}==\n$/;

test('prints fwknop --key-gen\'s two lines: a 32-byte key and a 64-byte HMAC key for sha256', async () => {
  const r = await keygen();
  assert.equal(r.code, 0);
  assert.match(r.out, FWKNOP_LINE);
  const [k, h] = r.out.trim().split('\n').map((l) => Buffer.from(l.split(': ')[1]!, 'base64'));
  assert.deepEqual([...k!], Array.from({ length: 32 }, (_, i) => i));
  assert.deepEqual([...h!], Array.from({ length: 64 }, (_, i) => 32 + i));
});

test('HMAC key sizes follow fwknop per digest; SHA3 gets a size where fwknop 2.6.10 fails', () => {
  const len = (...argv: string[]) => {
    const r = parseKeygenArgs(argv);
    return r.kind === 'keygen' ? [r.keyLen, r.hmacKeyLen] : undefined;
  };
  assert.deepEqual(len(), [32, 64]);
  assert.deepEqual(len('--hmac-digest-type', 'md5'), [32, 16]);
  assert.deepEqual(len('--hmac-digest-type', 'sha1'), [32, 20]);
  assert.deepEqual(len('--hmac-digest-type', 'sha384'), [32, 128]);
  assert.deepEqual(len('--hmac-digest-type', 'sha512'), [32, 128]);
  assert.deepEqual(len('--hmac-digest-type', 'sha3_256'), [32, 128]);
  assert.deepEqual(len('--hmac-digest-type', 'sha3_512'), [32, 72]);
  assert.deepEqual(len('--key-len', '16', '--hmac-key-len', '100', '--hmac-digest-type', 'md5'), [16, 100]);
  assert.equal(DEFAULT_HMAC_KEY_LEN.sha256, 64);
});

test('bad arguments', async () => {
  for (const [argv, pattern] of [
    [['--key-len', '33'], /--key-len: "33" is not a key length; expected 1-32/],
    [['--key-len', '0'], /expected 1-32/],
    [['--hmac-key-len', '129'], /expected 1-128/],
    [['--hmac-digest-type', 'sha224'], /--hmac-digest-type: "sha224"/],
    [['extra'], /unexpected argument 'extra'/],
    [['--qr=yes'], /takes no value/],
  ] as const) {
    const r = await keygen(...argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.match(r.err.join('\n'), pattern);
    assert.equal(r.out, '');
  }
  assert.match((await keygen('--help')).out, /^usage: portcullis keygen/);
});

test('--qr adds the Fwknop2 token string as a QR code after the two lines', async () => {
  const r = await keygen('--qr', '--hmac-digest-type', 'sha512');
  const keys = generateKeys({ hmacDigest: 'sha512', keyLen: 32, hmacKeyLen: 128, qr: true }, counter());
  assert.equal(r.out, `${keygenLines(keys).join('\n')}\n\n${renderUtf8(encodeQr(fwknop2Tokens(keys)))}`);
  assert.equal(fwknop2Tokens(keys), `KEY_BASE64:${keys.keyBase64} HMAC_KEY_BASE64:${keys.hmacKeyBase64}`);
  // Fwknop2 splits on spaces, then on ':' (ConfigDetailFragment.onActivityResult()).
  const scanned = Object.fromEntries(fwknop2Tokens(keys).split(' ').map((t) => t.split(':') as [string, string]));
  assert.deepEqual(scanned, { KEY_BASE64: keys.keyBase64, HMAC_KEY_BASE64: keys.hmacKeyBase64 });
});
