import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMessages, parseTestConfig, TEST_FILE } from './testing.js';
import { describeConfig } from './summary.js';
import { sequenceBits } from './secret-sequence.js';
import { parseConfig } from './parse.js';

const F = TEST_FILE;
const SECRET = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='; // 32 bytes 0..31

/** `[ssh]` (line 1), the secret (line 2), then `lines` from line 3. */
function door(...lines: string[]): string {
  return ['[ssh]', `sequence_secret = ${SECRET}`, ...lines, 'open = tcp/22'].join('\n');
}

test('a sequence_secret door: defaults, and no fixed sequence', () => {
  const d = parseTestConfig(door()).doors[0]!;
  assert.deepEqual(d.sequence, []);
  const s = d.sequenceSecret!;
  assert.deepEqual(Buffer.from(s.secret), Buffer.from(SECRET, 'base64'));
  assert.equal(s.length, 3);
  assert.equal(s.windowSeconds, 30);
  assert.deepEqual(s.ports, { from: 1024, to: 32767 });
  assert.equal(s.proto, 'tcp');
  // TCP knocks are connection attempts: ACK must be clear (the capture filter's range term agrees).
  assert.deepEqual(d.tcpFlags, [{ flag: 'ack', set: false }]);
});

test('every companion key parses, case-insensitively', () => {
  const d = parseTestConfig(door('Sequence_Length = 5', 'SEQUENCE_WINDOW = 60', 'sequence_ports = 40000 - 49999', 'sequence_protocol = UDP', 'tcpflags = syn')).doors[0]!;
  assert.deepEqual({ ...d.sequenceSecret!, secret: undefined }, { secret: undefined, length: 5, windowSeconds: 60, ports: { from: 40000, to: 49999 }, proto: 'udp' });
  assert.deepEqual(d.tcpFlags, [{ flag: 'syn', set: true }], 'UDP: no implicit TCP flag');
  const tcp = parseTestConfig(door('tcpflags = syn,!ack')).doors[0]!;
  assert.deepEqual(tcp.tcpFlags, [{ flag: 'syn', set: true }, { flag: 'ack', set: false }], 'not added twice');
});

test('bad values name the file, line and key', () => {
  assert.deepEqual(configMessages(['[ssh]', 'sequence_secret = c2hvcnQ=', 'open = tcp/22'].join('\n')),
    [`${F}:2: sequence_secret: decodes to 5 bytes; expected a secret of 16 to 128 bytes (e.g. openssl rand -base64 32)`]);
  assert.deepEqual(configMessages(['[ssh]', 'sequence_secret = not base64!', 'open = tcp/22'].join('\n')),
    [`${F}:2: sequence_secret: not base64; expected 16 to 128 random bytes in standard base64 (e.g. the output of openssl rand -base64 32)`]);
  assert.deepEqual(configMessages(door('sequence_length = 1', 'sequence_window = 4', 'sequence_ports = 2000-1000', 'sequence_protocol = icmp')), [
    `${F}:3: sequence_length: "1" is not a valid count; expected a whole number from 2 to 16`,
    `${F}:4: sequence_window: "4" is not a valid count; expected a whole number from 5 to 3600`,
    `${F}:5: sequence_ports: "2000-1000" is not a port range; expected FROM-TO with 1 <= FROM < TO <= 65535, e.g. 1024-32767`,
    `${F}:6: sequence_protocol: "icmp" is not a knock protocol here; expected tcp or udp`,
  ]);
  assert.deepEqual(configMessages(door('sequence_ports = 0-100')).length, 1);
});

test('too few bits: a narrow range needs a longer sequence', () => {
  assert.deepEqual(configMessages(door('sequence_ports = 7000-7999')), [
    `${F}:3: sequence_ports: 3 ports from 7000-7999 (1000 ports) give only 29.9 bits; expected at least 32 bits: a longer sequence_length or a wider sequence_ports`,
  ]);
  assert.equal(parseTestConfig(door('sequence_ports = 7000-7999', 'sequence_length = 4')).doors.length, 1);
  assert.deepEqual(configMessages(door('sequence_ports = 7000-7001', 'sequence_length = 3'))[0],
    `${F}:3: sequence_ports: 3 ports from 7000-7001 (2 ports) cannot give distinct ports; expected at least 32 bits: a longer sequence_length or a wider sequence_ports`);
  assert.ok(Math.abs(sequenceBits(3, 31744) - 44.86) < 0.01);
  assert.ok(Math.abs(sequenceBits(2, 65536) - 32) < 0.001);
});

test('conflicts: a fixed sequence, one-time sequences, SPA keys, ACK flags, decoys', () => {
  assert.deepEqual(configMessages(door('sequence = 7000,8000')), [
    `${F}:2: sequence_secret: [ssh] also has sequence on line 3; expected either a fixed sequence or sequence_secret (derived sequences), not both`,
  ]);
  const io = { readFile: () => '7000,8000\n' };
  assert.throws(() => parseConfig(door('one_time_sequences = /etc/otp'), F, io), /also has one_time_sequences on line 3/);
  assert.match(configMessages(door('key_base64 = cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE='))[0]!,
    /has sequence_secret on line 2 and key_base64 on line 3; expected either a sequence \(a knock door\) or key_base64 without one/);
  assert.deepEqual(configMessages(door('tcpflags = syn,ack')), [
    `${F}:3: tcpflags: [ssh] has sequence_secret, whose TCP knocks are connection attempts (SYN without ACK); expected TCPFlags without ack`,
  ]);
  assert.deepEqual(configMessages(['[options]', 'decoys = 1-1023, 30000-30010', door()].join('\n')), [
    `${F}:4: sequence_secret: the derived ports (tcp 1024-32767) overlap the decoy ports 30000-30010 (Decoys, line 2); expected sequence_ports outside the decoy list`,
  ]);
  assert.equal(parseTestConfig(['[options]', 'decoys = 1-1023, 30000-30010:udp', door()].join('\n')).doors.length, 1);
});

test('companions without sequence_secret are refused; a door with none of them still needs a sequence', () => {
  assert.deepEqual(configMessages(['[ssh]', 'sequence = 7000,8000', 'sequence_window = 60'].join('\n')), [
    `${F}:3: sequence_window: needs sequence_secret, which [ssh] does not have; expected it only on a door with sequence_secret = BASE64`,
  ]);
  assert.deepEqual(configMessages(['[ssh]', 'open = tcp/22'].join('\n')), [
    `${F}:1: [ssh]: door has no sequence; expected a Sequence = port[:proto],..., One_Time_Sequences = FILE or Sequence_Secret = BASE64 line`,
  ]);
  // `sequence_secret abc` (no "="): one error, not "door has no sequence" on top.
  assert.equal(configMessages(['[ssh]', 'sequence_secret abc', 'open = tcp/22'].join('\n')).length, 1);
});

test('knock_min_gap is checked against sequence_length', () => {
  assert.match(configMessages(door('sequence_length = 4', 'knock_min_gap = 10'))[0]!, /4 knocks at least 10 s apart take 30 s or more, but seq_timeout \(25 s\)/);
});

test('portcullis check describes the door without its sequence', () => {
  const text = describeConfig(parseTestConfig(door('sequence_window = 60')));
  assert.match(text, /sequence {2,}derived from sequence_secret: 3 tcp ports from 1024-32767, a new sequence every 60 s \(the previous and next window's accepted\), each used once/);
  assert.doesNotMatch(text, new RegExp(SECRET.slice(0, 10)));
});
