import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/parse.js';
import { planRules, RulesRefused } from './model.js';
import { doorIds } from './names.js';

const FILE = '/etc/knockd.conf';

function config(text: string, files: Record<string, string> = {}) {
  return parseConfig(text, FILE, { readFile: (p) => files[p] });
}

function refused(text: string, only?: string[], files: Record<string, string> = {}): readonly string[] {
  try {
    planRules(config(text, files), only);
  } catch (e) {
    assert.ok(e instanceof RulesRefused, String(e));
    assert.equal(e.code, 'RULES_REFUSED');
    return e.problems;
  }
  assert.fail('expected RulesRefused');
}

describe('the door → stage plan', () => {
  it('timing in whole seconds: the stage window is knock_max_gap capped by seq_timeout; a start list from three steps', () => {
    const plan = planRules(config([
      '[a]', 'sequence = 7000,8000:udp,9000', 'seq_timeout = 10', 'knock_min_gap = 1', 'knock_max_gap = 5', 'open = tcp/22',
      '[b]', 'sequence = 22,22', 'seq_timeout = 3', 'knock_max_gap = 30', 'open = tcp/22', 'open_timeout = 60', 'cooldown = 5',
      '[c]', 'sequence = 5555:udp', 'open = udp/1194',
    ].join('\n')));
    const [a, b, c] = plan.doors;
    assert.deepEqual([a!.stageWindowS, a!.startList, a!.minGapS, a!.seqTimeoutS, a!.openTimeoutS], [5, true, 1, 10, 30]);
    assert.deepEqual([b!.stageWindowS, b!.startList, b!.minGapS, b!.openTimeoutS, b!.cooldownS], [3, false, 0, 60, 5]);
    assert.deepEqual([c!.stageWindowS, c!.startList], [25, false]);
    assert.deepEqual(a!.steps, [{ proto: 'tcp', port: 7000 }, { proto: 'udp', port: 8000 }, { proto: 'tcp', port: 9000 }]);
    assert.deepEqual(plan.knockPorts, [{ proto: 'tcp', port: 22 }, { proto: 'tcp', port: 7000 }, { proto: 'tcp', port: 9000 }, { proto: 'udp', port: 5555 }, { proto: 'udp', port: 8000 }]);
    assert.deepEqual(plan.protectedPorts, [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }]);
  });

  it('families: Target picks one, Allow rules out a family it lists no network of', () => {
    const plan = planRules(config([
      '[any]', 'sequence = 1,2', 'open = tcp/22',
      '[v4]', 'sequence = 1,2', 'open = tcp/22', 'allow = 192.0.2.0/24',
      '[v6]', 'sequence = 1,2', 'open = tcp/22', 'target = 2001:DB8::1',
    ].join('\n')));
    assert.deepEqual(plan.doors.map((d) => d.families), [[4, 6], [4], [6]]);
    assert.deepEqual(plan.doors[2]!.target, { family: 6, address: '2001:db8::1' });
  });

  it('resets: every door\'s knock ports with both doors\' TCPFlags, listed decoys without ACK; payload and ICMP steps left out', () => {
    const plan = planRules(config([
      '[options]', 'decoys = 1-1023:tcp, 3000-3010:udp',
      '[a]', 'sequence = 7000,7001,8000:udp', 'tcpflags = syn', 'open = tcp/22',
      '[fin]', 'sequence = 6000,6001', 'tcpflags = fin,!syn', 'open = tcp/23',
      '[b]', 'sequence = 5000,icmp,5001:udp:payload=x', 'tcpflags = !ack', 'open = tcp/24',
    ].join('\n')), ['a', 'fin']);
    assert.deepEqual(plan.doors[0]!.resets, [
      { proto: 'tcp', ports: [{ from: 7000, to: 7001 }], flags: { mask: ['syn'], set: ['syn'] } },
      // [fin] wants syn clear, [a] wants it set: no packet is a knock of both, so no reset from 6000/6001.
      { proto: 'tcp', ports: [{ from: 5000, to: 5000 }], flags: { mask: ['syn', 'ack'], set: ['syn'] } },
      { proto: 'udp', ports: [{ from: 8000, to: 8000 }], flags: { mask: [], set: [] } },
      { proto: 'tcp', ports: [{ from: 1, to: 1023 }], flags: { mask: ['ack'], set: [] } },
      { proto: 'udp', ports: [{ from: 3000, to: 3010 }], flags: { mask: [], set: [] } },
    ]);
    assert.ok(plan.notes.some((n) => /ICMP and payload steps of other doors/.test(n)));
    assert.ok(!plan.notes.some((n) => /Decoys = auto/.test(n)), 'a decoy list is in the rules');
  });

  it('notes what the kernel leaves out: bans, Decoys = auto, commands', () => {
    const plan = planRules(config('[d]\nsequence = 1,2\nopen = tcp/22\nstart_command = logger %IP%\n'));
    assert.ok(plan.notes.some((n) => /not banned/.test(n)));
    assert.ok(plan.notes.some((n) => /Decoys = auto/.test(n)));
    assert.deepEqual(plan.doors[0]!.notes, ['its Start_Command and Stop_Command are not run (only the daemon runs commands)']);
  });

  it('--door picks doors; revokes resolve to the picked doors\' ids', () => {
    const plan = planRules(config('[open ssh]\nsequence = 1,2\nopen = tcp/22\n[close]\nsequence = 2,1\nopen = tcp/23\nrevokes = open ssh\n[other]\nsequence = 3\n'), ['open ssh', 'close']);
    assert.deepEqual(plan.doors.map((d) => d.id), ['open_ssh', 'close']);
    assert.deepEqual(plan.doors[1]!.revokes, ['open_ssh']);
  });
});

describe('doors the kernel cannot express are refused, each with its line and reason', () => {
  it('one-time sequences, no open ports, ICMP and payload steps, forward, Target/Allow of different families', () => {
    assert.deepEqual(refused([
      '[otp]', 'one_time_sequences = /etc/otp', 'open = tcp/22',
      '[cmd]', 'sequence = 1,2', 'start_command = /bin/true',
      '[icmp]', 'sequence = 1,icmp,3:udp:payload=knock', 'open = tcp/22',
      '[gw]', 'sequence = 1,2', 'open = tcp/22', 'forward = tcp/13389 -> 10.0.0.5:3389',
      '[t]', 'sequence = 1,2', 'open = tcp/22', 'target = 192.0.2.1', 'allow = 2001:db8::/32',
    ].join('\n'), undefined, { '/etc/otp': '1,2,3\n' }), [
      `${FILE}:1: [otp]: uses One_Time_Sequences: each sequence is good for one knock and the file is rewritten, which fixed rules cannot do; expected a Sequence (or the daemon for this door)`,
      `${FILE}:4: [cmd]: has no open ports: kernel rules open ports for the knocker, they cannot run Start_Command; expected open = PROTO/PORT, e.g. open = tcp/22`,
      `${FILE}:7: [icmp]: step 2 is an ICMP echo: the rules match TCP and UDP ports only; expected PORT or PORT:udp steps`,
      `${FILE}:7: [icmp]: step 3 (3/udp(payload "knock")) has a payload, which the rules cannot match; expected steps without payload=`,
      `${FILE}:10: [gw]: has forward: address translation to inside hosts is not part of these rules; expected open only (or the daemon's firewall backend for forward)`,
      `${FILE}:14: [t]: Target is an IPv4 address but Allow lists only IPv6 networks, so no source could knock; expected an Allow network of the Target's family`,
    ]);
  });

  it('a revoked door that is not generated, and an unknown --door', () => {
    const text = '[a]\nsequence = 1,2\nopen = tcp/22\n[b]\nsequence = 2,1\nopen = tcp/22\nrevokes = a\n';
    assert.deepEqual(refused(text, ['b', 'c']), [
      `${FILE}: no door named "c"; expected one of a, b`,
      `${FILE}:4: [b]: revokes a, which is not among the doors generated; expected a to be generated too (--door a)`,
    ]);
    assert.deepEqual(refused(text, []), [`${FILE}: no doors; expected at least one [door] section`]);
  });
});

describe('door ids', () => {
  it('letters, digits and _ only, a letter first, at most 16, unique whatever the case', () => {
    assert.deepEqual(doorIds(['openSSH', 'open ssh', 'OPEN-SSH', '22', 'a-very-long-door-name-indeed', 'a_very_long_door_name']), [
      'openSSH', 'open_ssh', 'OPEN_SSH_2', 'd22', 'a_very_long_door', 'a_very_long_do_2',
    ]);
  });
});
