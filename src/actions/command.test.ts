import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, type Door } from '../config/model.js';
import { CommandError, expandCommand, selectCommands, spaSubstitutions, substitute, type SpaCommandValues } from './command.js';

function makeDoor(commands: Partial<Pick<Door, 'startCommand' | 'startCommand6' | 'stopCommand' | 'stopCommand6'>>): Door {
  return {
    name: 'd', line: 1, sequence: [{ proto: 'tcp', port: 7000 }], seqTimeoutMs: DEFAULTS.seqTimeoutMs, knockMinGapMs: 0, knockMaxGapMs: 0,
    cmdTimeoutMs: DEFAULTS.cmdTimeoutMs, tcpFlags: [], allow: [], allowDuplicates: false, cooldownMs: 0, open: [], forwards: [], openTimeoutMs: DEFAULTS.openTimeoutMs, revokes: [], ...commands,
  };
}

test('IPv4 uses Start_Command and Stop_Command, ignoring the _6 variants', () => {
  const d = makeDoor({ startCommand: 'a', stopCommand: 'b', startCommand6: 'a6', stopCommand6: 'b6' });
  assert.deepEqual(selectCommands(d, 4), { start: 'a', stop: 'b' });
});

test('IPv6 uses the _6 variants when set', () => {
  const d = makeDoor({ startCommand: 'a', stopCommand: 'b', startCommand6: 'a6', stopCommand6: 'b6' });
  assert.deepEqual(selectCommands(d, 6), { start: 'a6', stop: 'b6' });
});

test('IPv6 falls back to Start_Command and Stop_Command when the _6 variants are not set', () => {
  assert.deepEqual(selectCommands(makeDoor({ startCommand: 'a', stopCommand: 'b' }), 6), { start: 'a', stop: 'b' });
});

test('Stop_Command_6 falls back to Stop_Command even when Start_Command_6 is set', () => {
  assert.deepEqual(selectCommands(makeDoor({ startCommand: 'a', stopCommand: 'b', startCommand6: 'a6' }), 6), { start: 'a6', stop: 'b' });
});

test('Start_Command falls back independently of Stop_Command_6', () => {
  assert.deepEqual(selectCommands(makeDoor({ startCommand: 'a', stopCommand: 'b', stopCommand6: 'b6' }), 6), { start: 'a', stop: 'b6' });
});

test('an explicitly empty Start_Command_6 means nothing at all for IPv6, but IPv4 still runs', () => {
  const d = makeDoor({ startCommand: 'a', stopCommand: 'b', startCommand6: '', stopCommand6: 'b6' });
  assert.deepEqual(selectCommands(d, 6), {});
  assert.deepEqual(selectCommands(d, 4), { start: 'a', stop: 'b' });
});

test('no stop without a non-empty start command', () => {
  assert.deepEqual(selectCommands(makeDoor({ stopCommand: 'b' }), 4), {});
  assert.deepEqual(selectCommands(makeDoor({ startCommand: '', stopCommand: 'b' }), 4), {});
  assert.deepEqual(selectCommands(makeDoor({ stopCommand: 'b', stopCommand6: 'b6' }), 6), {});
});

test('a start-only door has no stop; an empty stop command counts as none', () => {
  assert.deepEqual(selectCommands(makeDoor({ startCommand: 'a' }), 4), { start: 'a' });
  assert.deepEqual(selectCommands(makeDoor({ startCommand: 'a', stopCommand: '' }), 4), { start: 'a' });
  assert.deepEqual(selectCommands(makeDoor({ startCommand: 'a', stopCommand: 'b', stopCommand6: '' }), 6), { start: 'a' });
});

test('%IP% is replaced everywhere, case-sensitively', () => {
  assert.equal(expandCommand('echo %IP% %IP% %ip% %IP', '127.0.0.1'), 'echo 127.0.0.1 127.0.0.1 %ip% %IP');
  assert.equal(expandCommand('ip6tables -A INPUT -s %IP% -j ACCEPT', '2001:db8::7'), 'ip6tables -A INPUT -s 2001:db8::7 -j ACCEPT');
  assert.equal(expandCommand('no tokens', '::1'), 'no tokens');
  assert.equal(expandCommand('', '10.0.0.1'), '');
});

test('unknown tokens are left alone', () => {
  assert.equal(expandCommand('x %PORT% %IP%', '10.0.0.1'), 'x %PORT% 10.0.0.1');
});

test('anything but a plain numeric address is refused', () => {
  for (const bad of ['1.2.3.4; rm -rf /', '$(x)', '`id`', 'fe80::1%eth0', 'fe80::1%25eth0', '', ' 1.2.3.4', '1.2.3.4\n', 'localhost', '::ffff:1.2.3.4/96', '1.2.3']) {
    assert.throws(() => expandCommand('echo %IP%', bad), (err: unknown) => err instanceof CommandError && err.code === 'COMMAND_BAD_ADDRESS', bad);
  }
});

test('an address is checked even when the template has no %IP%', () => {
  assert.throws(() => expandCommand('echo hi', '$(x)'), { code: 'COMMAND_BAD_ADDRESS' });
});

test('IPv4-mapped IPv6 addresses are plain literals', () => {
  assert.equal(expandCommand('%IP%', '::ffff:1.2.3.4'), '::ffff:1.2.3.4');
});

test('substitute makes one pass: substituted text is not rescanned', () => {
  assert.equal(substitute('%A% %B%', { A: '%B%', B: 'b' }), '%B% b');
  assert.equal(substitute('%A.B% %AxB%', { 'A.B': '1' }), '1 %AxB%');
  assert.equal(substitute('%A%', {}), '%A%');
});

test('SPA grants also fill in %PORT%, %PROTO% and %TIMEOUT%; knock doors leave them alone', () => {
  assert.equal(expandCommand('allow %IP% %PROTO% %PORT% %TIMEOUT% %PORT%', '192.0.2.7', { port: 22, proto: 'tcp', timeoutSeconds: 30 }),
    'allow 192.0.2.7 tcp 22 30 22');
  assert.equal(expandCommand('x %PORT% %PROTO% %TIMEOUT%', '192.0.2.7'), 'x %PORT% %PROTO% %TIMEOUT%');
  assert.deepEqual(spaSubstitutions({ port: 1194, proto: 'udp', timeoutSeconds: 0 }), { PORT: '1194', PROTO: 'udp', TIMEOUT: '0' });
});

test('SPA values are refused unless each is a plain literal', () => {
  const bad: SpaCommandValues[] = [
    { port: 0, proto: 'tcp', timeoutSeconds: 30 }, { port: 65536, proto: 'tcp', timeoutSeconds: 30 }, { port: 22.5, proto: 'tcp', timeoutSeconds: 30 },
    { port: Number.NaN, proto: 'tcp', timeoutSeconds: 30 }, { port: 22, proto: 'tcp; id', timeoutSeconds: 30 }, { port: 22, proto: 'icmp', timeoutSeconds: 30 },
    { port: 22, proto: 'tcp', timeoutSeconds: -1 }, { port: 22, proto: 'tcp', timeoutSeconds: 1.5 }, { port: 22, proto: 'tcp', timeoutSeconds: Infinity },
    { port: '22; id' as unknown as number, proto: 'tcp', timeoutSeconds: 30 },
  ];
  for (const v of bad) {
    assert.throws(() => expandCommand('echo %PORT%', '192.0.2.7', v), (err: unknown) => err instanceof CommandError && err.code === 'COMMAND_BAD_VALUE', JSON.stringify(v));
  }
});
