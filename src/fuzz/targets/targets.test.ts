// The targets are not vacuous: their seeds reach the deep outcomes (decoded
// packets, accepted SPA messages, valid configs), so mutations start from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInputs } from '../corpus-files.js';
import { runOne } from '../engine.js';
import { decodeSpa, encodeSpa } from '../../spa/codec.js';
import { SpaError } from '../../spa/types.js';
import { ContractViolation, type Target } from '../target.js';
import { KEYS, SALT, checkDecoded } from './spa-common.js';
import { TARGETS, selectTargets } from './index.js';

function labels(t: Target): string[] {
  const inputs = [...t.seeds(), ...loadInputs('corpus', t.name).map((f) => f.bytes)];
  return inputs.map((input) => {
    const r = runOne(t, input);
    assert.ok('label' in r, `${t.name}: a seed fails: ${'failure' in r ? r.failure.stack : ''}`);
    return r.label;
  });
}

const byName = (n: string) => TARGETS.find((t) => t.name === n)!;

test('frame seeds decode under every link type, IPv4 and IPv6, TCP, UDP and ICMP', () => {
  const all = labels(byName('frame')).join('|');
  for (const link of ['ethernet', 'sll', 'sll2', 'null', 'loop', 'raw']) {
    for (const p of ['4tcp', '4udp', '4icmp', '6tcp', '6udp', '6icmp']) assert.ok(all.includes(`${link} ${p}`), `${link} ${p}`);
  }
});

test('SPA seeds are accepted with every key set, and reach the field parser', () => {
  const packets = labels(byName('spa-packet')).join('|');
  for (const k of ['hmac', 'hmac512', 'plain', 'legacy', 'commands']) assert.match(packets, new RegExp(`${k} ok type`), k);
  const fields = labels(byName('spa-fields'));
  assert.ok(fields.every((l) => /^a ok type/.test(l) && /\|c ok type/.test(l)), fields.find((l) => !/^a ok/.test(l)));
  const encodes = labels(byName('spa-encode'));
  assert.ok(encodes.filter((l) => l.startsWith('ok')).length > encodes.length / 4, encodes.join('\n'));
});

test('config, access and control corpora contain accepted inputs and typed refusals', () => {
  const config = labels(byName('config'));
  assert.ok(config.some((l) => l.startsWith('ok')) && config.some((l) => l.includes('CONFIG_')), config.join('\n'));
  const access = labels(byName('access'));
  assert.ok(access.some((l) => l.startsWith('ok')) && access.some((l) => l.includes('CONFIG_')), access.join('\n'));
  const control = labels(byName('control')).join('|');
  for (const l of ['req status', 'req reload', 'req revoke', 'too-long', 'reply ok', 'reply error']) assert.ok(control.includes(l), l);
});

test('the SPA contract check fails untyped refusals, the internal-error fallback and malleable acceptances', () => {
  const packet = encodeSpa({ random: '1234567890123456', username: 'u', timestamp: 1_800_000_000, version: '3.0.0', type: 1, allowIp: '192.0.2.1', access: [{ proto: 'tcp', port: 22 }] }, KEYS.plain, { salt: SALT });
  const ok = decodeSpa(packet, KEYS.plain);
  assert.equal(checkDecoded(ok, packet, KEYS.plain, 't'), 'ok type 1');
  // The same acceptance is malleable if the packet would re-encode differently (here: other keys).
  assert.throws(() => checkDecoded(ok, packet, KEYS.legacy, 't'), (e) => e instanceof ContractViolation && /does not re-encode/.test(e.message));
  assert.throws(() => checkDecoded({ ok: false, error: new Error('x') as SpaError }, packet, KEYS.plain, 't'), ContractViolation);
  assert.throws(() => checkDecoded({ ok: false, error: new SpaError('SPA_BAD_FIELDS', 'internal decoder error: boom') }, packet, KEYS.plain, 't'), ContractViolation);
});

test('target selection: exact names, the spa prefix, and a clear error', () => {
  assert.deepEqual((selectTargets(['spa']) as Target[]).map((t) => t.name), ['spa-packet', 'spa-fields', 'spa-encode']);
  assert.deepEqual((selectTargets(['config', 'config']) as Target[]).map((t) => t.name), ['config']);
  assert.equal((selectTargets([]) as Target[]).length, TARGETS.length);
  assert.match(selectTargets(['nope']) as string, /unknown target "nope"; expected one of frame, spa-packet/);
});
