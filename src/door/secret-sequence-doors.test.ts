import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Door, SecretSequence } from '../config/model.js';
import { acceptedWindows, expandSecretDoors, nextWindowChange } from './secret-sequence-doors.js';
import { deriveSequence, windowIndex, windowStartMs } from './secret-sequence.js';
import { Doorkeeper } from './keeper.js';
import type { DoorEvent } from './events.js';
import { door, options, tcp } from './testing.js';

const SPEC: SecretSequence = { secret: new Uint8Array(16).fill(3), length: 3, windowSeconds: 30, ports: { from: 1024, to: 32767 }, proto: 'tcp' };
const SECRET_DOOR: Door = { ...door('s', '1'), sequence: [], sequenceSecret: SPEC };
const NOW = 1_700_000_000_000;
const W = windowIndex(NOW, 30);
const never = () => false;

test('three slots per secret door, window x in slot x mod 3; other doors as they are', () => {
  const plain = door('plain', '7000,8000');
  const doors = expandSecretDoors([plain, SECRET_DOOR], NOW, never);
  assert.equal(doors.length, 4);
  assert.equal(doors[0], plain);
  for (const w of [W - 1, W, W + 1]) {
    const slot = doors[1 + (w % 3)]!;
    assert.equal(slot.secretWindow, w);
    assert.deepEqual(slot.sequence.map((s) => s.port), deriveSequence(SPEC, 's', w));
    assert.ok(slot.sequence.every((s) => s.proto === 'tcp'));
  }
  assert.deepEqual(acceptedWindows(30, NOW), [W - 1, W, W + 1]);
});

test('a used window\'s slot has no sequence; the used check gets the door, window and ports', () => {
  const seen: string[] = [];
  const doors = expandSecretDoors([SECRET_DOOR], NOW, (name, w, ports) => {
    seen.push(`${name}/${w}`);
    return w === W && ports.join() === deriveSequence(SPEC, 's', W).join();
  });
  assert.deepEqual(seen, [`s/${W - 1}`, `s/${W}`, `s/${W + 1}`]);
  const used = doors[W % 3]!;
  assert.deepEqual(used.sequence, []);
  assert.equal(used.secretWindow, undefined);
});

test('nextWindowChange: the earliest next window start of any secret door', () => {
  assert.equal(nextWindowChange([door('plain', '1')], NOW), undefined);
  const fast: Door = { ...SECRET_DOOR, name: 'f', sequenceSecret: { ...SPEC, windowSeconds: 7 } };
  assert.equal(nextWindowChange([SECRET_DOOR, fast], NOW), Math.min(windowStartMs(W + 1, 30), windowStartMs(windowIndex(NOW, 7) + 1, 7)));
});

test('Doorkeeper.update moves one slot in place: attempts of the other slots and doors stay', () => {
  const plain = door('plain', '7000,8000');
  const k = new Doorkeeper(expandSecretDoors([plain, SECRET_DOOR], NOW, never), options());
  k.setLocalAddresses(['10.0.0.1']);
  const events: string[] = [];
  const emit = (e: DoorEvent) => { if ('door' in e) events.push(`${e.kind} ${e.src} ${e.door.name}/${e.door.secretWindow ?? '-'}`); };
  const first = (w: number) => deriveSequence(SPEC, 's', w)[0]!;
  k.onPacket(tcp('192.0.2.1', 7000), NOW, emit);
  k.onPacket(tcp('192.0.2.2', first(W)), NOW, emit);
  k.onPacket(tcp('192.0.2.3', first(W - 1)), NOW, emit);
  assert.equal(k.stats().attempts, 3);
  // Next window: W−1 leaves (its slot becomes W+2), W and W+1 stay where they are.
  const later = windowStartMs(W + 1, 30) + 1; // 10 s on: within seq_timeout
  k.update(expandSecretDoors([plain, SECRET_DOOR], later, never));
  assert.deepEqual(k.inFlight().map((a) => a.src).sort(), ['192.0.2.1', '192.0.2.2']);
  // The moved-on attempt completes; the new window's sequence works from its first port.
  for (const p of deriveSequence(SPEC, 's', W).slice(1)) k.onPacket(tcp('192.0.2.2', p), later, emit);
  for (const p of deriveSequence(SPEC, 's', W + 2)) k.onPacket(tcp('192.0.2.4', p), later, emit);
  assert.deepEqual(events.filter((e) => e.startsWith('open')), [`open 192.0.2.2 s/${W}`, `open 192.0.2.4 s/${W + 2}`]);
  // An empty slot is skipped: the used window's ports are no knock for it.
  k.update(expandSecretDoors([plain, SECRET_DOOR], later, (_n, w) => w === W));
  events.length = 0;
  for (const p of deriveSequence(SPEC, 's', W)) k.onPacket(tcp('192.0.2.5', p), later, emit);
  assert.deepEqual(events, []);
});
