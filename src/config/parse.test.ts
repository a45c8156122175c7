import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './parse.js';
import { ConfigError, ConfigErrors } from './errors.js';
import { DEFAULTS, type Config } from './model.js';
import { formatSequence } from './sequence.js';
import { PortcullisError } from '../errors.js';

const FILE = '/etc/knockd.conf';
const files = (map: Record<string, string>) => ({ readFile: (p: string) => map[p] });
const none = files({});

function ok(text: string, io = none): Config {
  return parseConfig(text, FILE, io);
}

function errors(text: string, io = none): ConfigError[] {
  try {
    parseConfig(text, FILE, io);
  } catch (e) {
    assert.ok(e instanceof ConfigErrors, String(e));
    return [...e.errors];
  }
  assert.fail('expected ConfigErrors');
}

const door = (lines: string) => `[d]\nsequence = 7000,8000\n${lines}\n`;

test('a file with several errors reports all of them, in line order, as FILE:LINE: key: ...', () => {
  const text = [
    'logfile = /tmp/early', //                1 no section
    '[options]', //                           2
    ' UseSyslog = yes', //                    3
    ' FailureLimit = 0', //                   4
    '[a]', //                                 5
    ' sequence = 7000,xxxx,70000', //         6 two bad steps
    ' seq_timeout = soon', //                 7
    ' tcpflags = syn,fin,bogus', //           8
    ' colour = blue', //                      9
    '[b]', //                                 10 no sequence
    ' command = true',
  ].join('\n');
  let thrown: unknown;
  try {
    parseConfig(text, FILE, none);
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof ConfigErrors);
  assert.ok(thrown instanceof PortcullisError);
  assert.equal(thrown.code, 'CONFIG_INVALID');
  assert.deepEqual(thrown.errors.map((e) => [e.line, e.key, e.code]), [
    [1, 'logfile', 'CONFIG_NO_SECTION'],
    [3, 'usesyslog', 'CONFIG_SYNTAX'],
    [4, 'failurelimit', 'CONFIG_BAD_NUMBER'],
    [6, 'sequence', 'CONFIG_BAD_PORT'],
    [6, 'sequence', 'CONFIG_BAD_PORT'],
    [7, 'seq_timeout', 'CONFIG_BAD_NUMBER'],
    [8, 'tcpflags', 'CONFIG_BAD_FLAG'],
    [9, 'colour', 'CONFIG_UNKNOWN_KEY'],
    [10, undefined, 'CONFIG_EMPTY_SEQUENCE'],
  ]);
  for (const e of thrown.errors) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.file, FILE);
    assert.match(e.message, /^\/etc\/knockd\.conf:\d+: [^:]+: .+; expected .+/);
    assert.equal(e.message, `${FILE}:${e.line}: ${e.message.split(': ')[1]}: ${e.detail}`);
  }
  assert.equal(thrown.errors[3]!.message,
    '/etc/knockd.conf:6: sequence: "xxxx" is not a port number; expected 1-65535, optionally followed by :tcp or :udp');
  assert.equal(thrown.errors[8]!.message.split(': ')[1], '[b]');
  assert.equal(thrown.message, thrown.errors.map((e) => e.message).join('\n'));
});

test('defaults for doors and options', () => {
  const c = ok('[d]\nsequence = 1');
  assert.equal(c.file, FILE);
  assert.deepEqual(c.options, {
    useSyslog: false, interfaces: [], decoys: { mode: 'auto' },
    failureLimit: DEFAULTS.failureLimit, failureWindowMs: DEFAULTS.failureWindowMs, banMs: DEFAULTS.banMs,
    maxAttempts: DEFAULTS.maxAttempts, maxTrackedSources: DEFAULTS.maxTrackedSources,
    nftTable: { family: 'inet', name: 'portcullis', integrated: false }, nftPriority: -10, closeOnExit: true,
    maxSpaPacketAgeMs: 120_000,
  });
  assert.deepEqual(c.doors, [{
    name: 'd', line: 1, sequence: [{ proto: 'tcp', port: 1 }], seqTimeoutMs: 25_000, knockMinGapMs: 0, knockMaxGapMs: 0,
    cmdTimeoutMs: 10_000, tcpFlags: [], allow: [], allowDuplicates: false, cooldownMs: 0,
    open: [], forwards: [], openTimeoutMs: 30_000, revokes: [],
  }]);
});

test('keys are case-insensitive; aliases; the last value wins', () => {
  const d = ok(door('TIMEOUT = 9\nSeq_Timeout = 7\nCommand = a\nSTART_COMMAND = b\nCommand_6 = c\nCmd_Timeout = 0')).doors[0]!;
  assert.equal(d.seqTimeoutMs, 7000);
  assert.equal(d.startCommand, 'b');
  assert.equal(d.startCommand6, 'c');
  assert.equal(d.cmdTimeoutMs, 0);
  assert.deepEqual(ok('[d]\nSEQUENCE = 1\nsequence = 2:udp').doors[0]!.sequence, [{ proto: 'udp', port: 2 }]);
});

test('commands: _6 unset falls back, empty means nothing; verbatim text', () => {
  const d = ok(door('start_command = iptables -A # keep\nstart_command_6 =\nstop_command = x  y\nstop_command_6 = z')).doors[0]!;
  assert.equal(d.startCommand, 'iptables -A # keep');
  assert.equal(d.startCommand6, '');
  assert.equal(d.stopCommand, 'x  y');
  assert.equal(d.stopCommand6, 'z');
  const e = ok(door('command = a')).doors[0]!;
  assert.equal(e.startCommand6, undefined);
  assert.equal(e.stopCommand, undefined);
});

test('timeouts: trailing comments allowed; 0, negative, fractions and huge values refused', () => {
  assert.equal(ok(door('seq_timeout = 5 # five')).doors[0]!.seqTimeoutMs, 5000);
  for (const [line, code] of [
    ['seq_timeout = 0', 'CONFIG_BAD_NUMBER'], ['seq_timeout = -5', 'CONFIG_BAD_NUMBER'], ['seq_timeout = 2.5', 'CONFIG_BAD_NUMBER'],
    ['seq_timeout =', 'CONFIG_BAD_NUMBER'], ['cmd_timeout = 99999999', 'CONFIG_BAD_NUMBER'], ['cmd_timeout = x', 'CONFIG_BAD_NUMBER'],
  ] as const) {
    assert.deepEqual(errors(door(line)).map((e) => [e.code, e.line]), [[code, 3]], line);
  }
  assert.match(errors(door('seq_timeout = 0'))[0]!.message, /expire every attempt/);
});

test('sequence: trailing comment dropped, empty and bad values reported', () => {
  assert.equal(formatSequence(ok('[d]\nsequence = 1,2,3 # note').doors[0]!.sequence), '1/tcp 2/tcp 3/tcp');
  assert.deepEqual(errors('[d]\nsequence =').map((e) => e.code), ['CONFIG_EMPTY_SEQUENCE']);
  assert.deepEqual(errors('[d]\nsequence = 1,2 3').map((e) => e.code), ['CONFIG_BAD_PORT']);
});

test('TCPFlags lines add up and accept spaces', () => {
  const d = ok(door('tcpflags = syn\nTCPFlags = !ack, urg')).doors[0]!;
  assert.deepEqual(d.tcpFlags, [{ flag: 'syn', set: true }, { flag: 'ack', set: false }, { flag: 'urg', set: true }]);
});

test('target: validated and canonical', () => {
  assert.equal(ok(door('target = 2001:DB8:0:0::1')).doors[0]!.target, '2001:db8::1');
  assert.equal(ok(door('target = 192.0.2.50')).doors[0]!.target, '192.0.2.50');
  for (const bad of ['target = host.example', 'target = 192.0.2.0/24', 'target =']) {
    assert.deepEqual(errors(door(bad)).map((e) => [e.code, e.key]), [['CONFIG_BAD_ADDRESS', 'target']], bad);
  }
});

test('allow: networks and hosts, lines add up; bad values', () => {
  const d = ok(door('allow = 203.0.113.0/24, 2001:db8::/32\nAllow = 198.51.100.7')).doors[0]!;
  assert.deepEqual(d.allow.map((c) => c.text), ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32']);
  for (const bad of ['allow =', 'allow = 10.0.0.0/8,', 'allow = 10.0.0.1/8', 'allow = everyone', 'allow = 10.0.0.0/8 # lan']) {
    assert.deepEqual(errors(door(bad)).map((e) => [e.code, e.line, e.key]), [['CONFIG_BAD_ADDRESS', 3, 'allow']], bad);
  }
});

test('allow_duplicates and cooldown', () => {
  const d = ok(door('allow_duplicates = YES\ncooldown = 30')).doors[0]!;
  assert.equal(d.allowDuplicates, true);
  assert.equal(d.cooldownMs, 30_000);
  assert.equal(ok(door('allow_duplicates = no\ncooldown = 0')).doors[0]!.allowDuplicates, false);
  assert.deepEqual(errors(door('allow_duplicates = maybe\ncooldown = -1\ncooldown = 1m')).map((e) => [e.code, e.line]),
    [['CONFIG_BAD_VALUE', 3], ['CONFIG_BAD_NUMBER', 4], ['CONFIG_BAD_NUMBER', 5]]);
});

test('icmp and payload steps in a door', () => {
  const d = ok('[d]\nsequence = 7000, 8000:udp:payload=knock, icmp:payload=0x6b6e6f636b, icmp').doors[0]!;
  assert.equal(formatSequence(d.sequence), '7000/tcp 8000/udp(payload "knock") icmp(payload "knock") icmp');
  assert.deepEqual(errors('[d]\nsequence = 7000:payload=x').map((e) => e.code), ['CONFIG_BAD_PAYLOAD']);
});

test('options: every key, good values', () => {
  const c = ok([
    '[options]', 'UseSyslog', 'LogFile = /var/log/p.log', 'PidFile = /run/p.pid', 'Interface = eth0, wg0',
    'StateDir = /var/lib/portcullis', 'Decoys = 1-1023:tcp, 3000-3999, 53:udp', 'FailureLimit = 3', 'FailureWindow = 30',
    'BanTime = 0', 'MaxAttempts = 100', 'MaxTrackedSources = 200', 'ControlSocket = /run/p.sock', 'Firewall = ipset',
    'Nft_Table = knocks', 'Nft_Priority = 5', 'Close_On_Exit = no', 'Firewalld_Zone = internal', 'Max_SPA_Packet_Age = 60', '[d]', 'sequence = 7000',
  ].join('\n'));
  assert.deepEqual(c.options, {
    useSyslog: true, logFile: '/var/log/p.log', pidFile: '/run/p.pid', interfaces: ['eth0', 'wg0'],
    stateDir: '/var/lib/portcullis',
    decoys: { mode: 'ports', tcp: [{ from: 1, to: 1023 }, { from: 3000, to: 3999 }], udp: [{ from: 53, to: 53 }] },
    failureLimit: 3, failureWindowMs: 30_000, banMs: 0, maxAttempts: 100, maxTrackedSources: 200,
    controlSocket: '/run/p.sock', firewall: 'ipset', nftTable: { family: 'inet', name: 'knocks', integrated: false },
    nftPriority: 5, closeOnExit: false, firewalldZone: 'internal', maxSpaPacketAgeMs: 60_000,
  });
  assert.deepEqual(ok('[options]\ndecoys = AUTO').options.decoys, { mode: 'auto' });
  assert.deepEqual(ok('[options]\ndecoys = off').options.decoys, { mode: 'off' });
});

test('options: bad values', () => {
  const text = [
    '[options]', 'LogFile =', 'Interface = eth0,', 'StateDir =', 'Decoys = sometimes', 'FailureLimit = 0',
    'FailureWindow = 0', 'BanTime = -1', 'MaxAttempts = 0', 'MaxTrackedSources = lots', 'PidFile =',
  ].join('\n');
  assert.deepEqual(errors(text).map((e) => [e.line, e.key, e.code]), [
    [2, 'logfile', 'CONFIG_BAD_VALUE'], [3, 'interface', 'CONFIG_BAD_VALUE'], [4, 'statedir', 'CONFIG_BAD_VALUE'],
    [5, 'decoys', 'CONFIG_BAD_VALUE'], [6, 'failurelimit', 'CONFIG_BAD_NUMBER'], [7, 'failurewindow', 'CONFIG_BAD_NUMBER'],
    [8, 'bantime', 'CONFIG_BAD_NUMBER'], [9, 'maxattempts', 'CONFIG_BAD_NUMBER'], [10, 'maxtrackedsources', 'CONFIG_BAD_NUMBER'],
    [11, 'pidfile', 'CONFIG_BAD_VALUE'],
  ]);
});

test('options: the preallocated tables have an upper bound', () => {
  const errs = errors('[options]\nMaxAttempts = 4194305\nMaxTrackedSources = 99999999999\n');
  assert.deepEqual(errs.map((e) => [e.line, e.key, e.code]), [[2, 'maxattempts', 'CONFIG_BAD_NUMBER'], [3, 'maxtrackedsources', 'CONFIG_BAD_NUMBER']]);
  assert.match(errs[0]!.message, /expected a whole number from 1 to 4194304/);
  assert.equal(ok('[options]\nMaxAttempts = 4194304').options.maxAttempts, 4194304);
});

test('a knock port inside an explicit Decoys list is refused, also in one-time files', () => {
  const text = '[options]\ndecoys = 1-1023, 53:udp\n[a]\nsequence = 7000,22,53,53:udp\n[b]\none_time_sequences = /ots\n';
  const io = files({ '/ots': '#80\n7000,8000\n9000,443\n' });
  const errs = errors(text, io);
  assert.deepEqual(errs.map((e) => [e.line, e.key, e.code]), [
    [4, 'sequence', 'CONFIG_CONFLICT'], [4, 'sequence', 'CONFIG_CONFLICT'], [4, 'sequence', 'CONFIG_CONFLICT'],
    [6, 'one_time_sequences', 'CONFIG_CONFLICT'],
  ]);
  assert.match(errs[0]!.message, /:4: sequence: 22\/tcp is also a decoy port \(Decoys, line 2\); expected knock ports outside/);
  assert.match(errs[3]!.message, /443\/tcp on line 3 of "\/ots"/);
  // auto and off never conflict at parse time.
  ok('[options]\ndecoys = auto\n[a]\nsequence = 22');
});

test('one-time sequences: first unused line, missing file, nothing left, and Sequence as well', () => {
  const io = files({ '/ots': '# used\n#2001\n 3001:udp,3002\n', '/empty': '# all used\n\n' });
  const d = ok('[d]\none_time_sequences = /ots', io).doors[0]!;
  assert.equal(d.oneTimeSequences, '/ots');
  assert.equal(formatSequence(d.sequence), '3001/udp 3002/tcp');
  assert.deepEqual(errors('[d]\none_time_sequences = /nope', io).map((e) => [e.code, e.line, e.key]),
    [['CONFIG_MISSING_FILE', 2, 'one_time_sequences']]);
  assert.deepEqual(errors('[d]\none_time_sequences = /empty', io).map((e) => e.code), ['CONFIG_EMPTY_SEQUENCE']);
  assert.deepEqual(errors('[d]\none_time_sequences =', io).map((e) => e.code), ['CONFIG_BAD_VALUE']);
  assert.deepEqual(errors('[d]\nsequence = 1\none_time_sequences = /ots', io).map((e) => [e.code, e.line]),
    [['CONFIG_CONFLICT', 3]]);
});

test('section errors: recovery keeps checking the keys below', () => {
  assert.deepEqual(errors('[Options]\nbogus = 1\n').map((e) => [e.code, e.line]),
    [['CONFIG_BAD_SECTION', 1], ['CONFIG_UNKNOWN_KEY', 2]]);
  assert.deepEqual(errors('[d] # door\nsequence = 0\n').map((e) => [e.code, e.line]),
    [['CONFIG_BAD_SECTION', 1], ['CONFIG_BAD_PORT', 2]]);
  assert.deepEqual(errors('[]\ncommand = x\n').map((e) => [e.code, e.line]), [['CONFIG_BAD_SECTION', 1]]);
  assert.deepEqual(errors('[d]\n= 5\n[e]\nsequence 1\n').map((e) => [e.code, e.line]),
    [['CONFIG_EMPTY_SEQUENCE', 1], ['CONFIG_SYNTAX', 2], ['CONFIG_SYNTAX', 4]]);
});

test('UseSyslog before any section, and bare words other than UseSyslog', () => {
  assert.deepEqual(errors('UseSyslog\n[d]\nsequence=1').map((e) => [e.code, e.line]), [['CONFIG_NO_SECTION', 1]]);
  assert.deepEqual(errors('[options]\nverbose\n').map((e) => [e.code, e.key]), [['CONFIG_SYNTAX', 'verbose']]);
  assert.deepEqual(errors('[options]\nusesyslog =\n').map((e) => e.code), ['CONFIG_SYNTAX']);
});

test('door names are kept as written; no doors is not an error', () => {
  assert.equal(ok('[ my door ]\nsequence=1').doors[0]!.name, ' my door ');
  assert.deepEqual(ok('[options]\nlogfile = /x\n').doors, []);
  assert.deepEqual(ok('').doors, []);
});
