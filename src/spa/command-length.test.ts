// Command messages and the 400-character GPG rule: a stanza with
// ENABLE_CMD_EXEC (SpaKeys.commands) measures the ciphertext without its HMAC,
// with "U2FsdGVkX1" restored, as fwknopd 2.6.10 does (in the lab: a 417-char
// command packet with HMAC-SHA256 ran, a 439-char one was refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encryptRijndael } from './cipher.js';
import { decodeSpa, encodeSpa, precheck } from './codec.js';
import { digestB64 } from './digest.js';
import { encodeFields } from './fields.js';
import { hmacB64 } from './hmac.js';
import { MessageType, SpaError, type SpaKeys, type SpaMessage } from './types.js';

const KEY = new Uint8Array(Buffer.from('cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=', 'base64'));
const HMAC = new Uint8Array(Buffer.from('lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==', 'base64'));
const KEYS: SpaKeys = { encryption: KEY, hmac: HMAC, hmacDigest: 'sha256', mode: 'cbc' };
const SALT = new Uint8Array(8).fill(7);

const command = (n: number): SpaMessage => ({
  random: '1234567890123456', username: 'root', timestamp: 1_700_000_000, version: '3.0.0',
  type: MessageType.command, allowIp: '10.0.0.2', access: [], command: `/bin/echo ${'x'.repeat(n - 10)}`,
});

test('a command packet of 400+ characters: built, refused as GPG by a door without commands, decoded by one with them', () => {
  assert.throws(() => encodeSpa(command(120), KEYS, { salt: SALT }), /fwknopd classifies 400 or more as GPG/, 'by default, the whole-packet rule');
  const packet = encodeSpa(command(120), KEYS, { salt: SALT, commands: true });
  assert.ok(packet.length >= 400 && packet.length - 43 + 10 < 400, `${packet.length}`);
  assert.equal(precheck(packet), 'SPA_GPG');
  assert.equal(precheck(packet, true), undefined);
  const plain = decodeSpa(packet, KEYS);
  assert.equal(!plain.ok && plain.error.code, 'SPA_GPG');
  const cmd = decodeSpa(packet, { ...KEYS, commands: true });
  assert.ok(cmd.ok, JSON.stringify(cmd));
  assert.equal(cmd.value.message.command, command(120).command);
});

test('the limit a command stanza keeps: the ciphertext with its prefix under 400, else GPG (encoder and decoder alike)', () => {
  assert.throws(() => encodeSpa(command(140), KEYS, { salt: SALT, commands: true }),
    (e: unknown) => e instanceof SpaError && /the packet would be \d+ characters \(\d+ without its HMAC, with "U2FsdGVkX1"\); fwknopd classifies 400 or more as GPG .*shorten the command/.test(e.message));
  // Built by hand, as the C client would send it.
  const encoded = encodeFields(command(140));
  const wireCt = encryptRijndael(`${encoded}:${digestB64('sha256', encoded)}`, KEY, 'cbc', SALT).slice(10);
  assert.ok(wireCt.length + 10 >= 400);
  const packet = wireCt + hmacB64('sha256', HMAC, wireCt);
  const r = decodeSpa(packet, { ...KEYS, commands: true });
  assert.equal(!r.ok && r.error.code, 'SPA_GPG');
  assert.match(!r.ok ? r.error.message : '', /without the HMAC, with "U2FsdGVkX1"; libfko treats ≥ 400 as GPG/);
  const access: SpaMessage = { ...command(10), type: MessageType.access, access: Array.from({ length: 17 }, (_, i) => ({ proto: 'tcp', port: 10000 + i })) };
  delete (access as { command?: string }).command;
  assert.throws(() => encodeSpa(access, KEYS), /the packet would be \d+ characters; fwknopd classifies/, 'access messages keep the whole-packet rule');
});
