// The gate and command messages (fwknop -C): the access checks first, then
// enable_cmd_exec, the argv split and cmd_allow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Door, SpaCommandExec } from '../config/model.js';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { MessageType } from '../spa/types.js';
import { SpaGate, type GateOutcome } from './gate.js';
import { ReplayStore } from './replay-cache.js';
import { spaPacket, spaTestDoor, type PacketOptions } from './testing.js';

const NOW = 1_700_000_000_000;
const CLIENT = '192.0.2.10';
const EXEC: SpaCommandExec = { user: 'nobody', userLine: 5, timeoutMs: 30_000, maxRunning: 4 };

function check(door: Door, o: PacketOptions, src = CLIENT, g = new SpaGate([door], 120_000, new ReplayStore({ store: new MemoryFileStore(), path: '/r', log: new MemoryLogger() }))): GateOutcome {
  return g.check({ payload: spaPacket({ at: NOW, type: MessageType.command, ...o }), src, family: 4, port: 62201, via: 'pcap' }, NOW);
}

const reason = (o: GateOutcome) => (o.kind === 'reject' ? o.reason : o.kind);

test('a command message on an enable_cmd_exec door: the argv, for the message\'s address', () => {
  const o = check(spaTestDoor('cmd', { commandExec: EXEC }), { allowIp: CLIENT, command: `/usr/bin/touch '/tmp/a b'`, username: 'alice' });
  assert.equal(o.kind, 'command', JSON.stringify(o));
  if (o.kind !== 'command') return;
  assert.deepEqual(o.argv, ['/usr/bin/touch', '/tmp/a b']);
  assert.equal(o.address, CLIENT);
  assert.equal(o.username, 'alice');
  assert.equal(o.door.name, 'cmd');
});

test('refusals: no enable_cmd_exec, shell syntax, outside cmd_allow — each with its reason and detail', () => {
  const off = check(spaTestDoor('spa'), { allowIp: CLIENT, command: 'id' });
  assert.deepEqual(off.kind === 'reject' && [off.reason, off.detail], ['command', 'command messages (fwknop -C) are not run by this door (enable_cmd_exec = no)']);
  const door = spaTestDoor('cmd', { commandExec: { ...EXEC, allow: [['/usr/bin/id', '-u'], ['/usr/bin/touch', '/tmp/x']] } });
  const syntax = check(door, { allowIp: CLIENT, command: 'id; reboot' });
  assert.equal(reason(syntax), 'command-syntax');
  assert.match(syntax.kind === 'reject' ? syntax.detail : '', /^command "id; reboot": unquoted ; at position 3 is shell syntax/);
  const other = check(door, { allowIp: CLIENT, command: '/usr/bin/id -g' });
  assert.deepEqual(other.kind === 'reject' && [other.reason, other.detail], ['command-not-allowed', 'command /usr/bin/id -g is not one of cmd_allow']);
  assert.equal(reason(check(door, { allowIp: CLIENT, command: '/usr/bin/id' })), 'command-not-allowed', 'exact: no prefix match');
  assert.equal(reason(check(door, { allowIp: CLIENT, command: '/usr/bin/id -u -u' })), 'command-not-allowed', 'exact: no extra words');
  assert.equal(reason(check(door, { allowIp: CLIENT, command: 'id -u' })), 'command-not-allowed', 'the program as written in cmd_allow');
  assert.equal(reason(check(door, { allowIp: CLIENT, command: `  /usr/bin/id  '-u'` })), 'command', 'the same argv, written differently');
  assert.equal(reason(check(door, { allowIp: CLIENT, command: '/usr/bin/touch /tmp/x' })), 'command');
});

test('the access checks come first: source, require_source_address, username, age, replay', () => {
  const door = spaTestDoor('cmd', { commandExec: EXEC, requireUsername: 'alice' });
  assert.equal(reason(check(door, { allowIp: '0.0.0.0', command: 'id', username: 'alice' })), 'source-required', 'fwknop -s on require_source_address = yes');
  assert.equal(reason(check(door, { allowIp: '192.0.2.99', command: 'id', username: 'alice' })), 'source-mismatch');
  assert.equal(reason(check(door, { allowIp: CLIENT, command: 'id', username: 'bob' })), 'username');
  assert.equal(reason(check(door, { allowIp: CLIENT, command: 'id', username: 'alice', at: NOW - 600_000 })), 'stale');
  assert.equal(reason(check(door, { allowIp: CLIENT, command: 'id', username: 'alice', hmac: new Uint8Array(8).fill(1) })), 'bad-hmac');
  assert.equal(reason(check(spaTestDoor('cmd', { commandExec: EXEC, source: [] }), { allowIp: CLIENT, command: 'id; x', username: 'alice' }, '192.0.2.10')), 'command-syntax');
  const g = new SpaGate([door], 120_000, new ReplayStore({ store: new MemoryFileStore(), path: '/r', log: new MemoryLogger() }));
  const payload = spaPacket({ at: NOW, type: MessageType.command, allowIp: CLIENT, command: 'id', username: 'alice' });
  const d = { payload, src: CLIENT, family: 4 as const, port: 62201, via: 'pcap' as const };
  assert.equal(reason(g.check(d, NOW)), 'command');
  assert.equal(reason(g.check(d, NOW + 3000)), 'replay', 'the same packet again');
  const refusedFirst = spaPacket({ at: NOW, type: MessageType.command, allowIp: CLIENT, command: 'id; x', username: 'alice' });
  const r = { ...d, payload: refusedFirst };
  assert.equal(reason(g.check(r, NOW)), 'command-syntax');
  assert.equal(reason(g.check(r, NOW + 3000)), 'replay', 'a refused command packet is burned too');
  const free = spaTestDoor('cmd', { commandExec: EXEC, requireSourceAddress: false });
  const o = check(free, { allowIp: '0.0.0.0', command: 'id' }, '198.51.100.4');
  assert.deepEqual(o.kind === 'command' && o.address, '198.51.100.4', 'require_source_address = no: 0.0.0.0 is the packet\'s source');
});

test('a command packet of 400+ characters (fwknopd\'s GPG threshold) is decoded by a command door only', () => {
  const long = `/bin/echo ${'x'.repeat(110)}`;
  const payload = spaPacket({ at: NOW, type: MessageType.command, allowIp: CLIENT, command: long });
  assert.ok(payload.length >= 400, `${payload.length}`);
  const o = check(spaTestDoor('cmd', { commandExec: EXEC }), { allowIp: CLIENT, command: long });
  assert.deepEqual(o.kind === 'command' && o.argv, ['/bin/echo', 'x'.repeat(110)]);
  assert.equal(reason(check(spaTestDoor('spa'), { allowIp: CLIENT, command: long })), 'gpg', 'a door without enable_cmd_exec keeps the whole-packet rule');
  const both = new SpaGate([spaTestDoor('spa'), spaTestDoor('cmd', { commandExec: EXEC })], 120_000, new ReplayStore({ store: new MemoryFileStore(), path: '/r', log: new MemoryLogger() }));
  const r = both.check({ payload, src: CLIENT, family: 4, port: 62201, via: 'pcap' }, NOW);
  assert.deepEqual(r.kind === 'command' && r.door.name, 'cmd', 'the command door on the same port decides');
});
