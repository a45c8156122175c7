// The iptables backend's kernel bans: the ban chain's rules and jumps as
// restore lines, the `-S` parser on lines as iptables 1.8.9 prints them, the
// bound, and applyBans/listBans through a recording runner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FirewallError, type Layout } from './backend.js';
import { RecordingToolRunner, type RecordedCall, type ToolResult } from './tool.js';
import { IptablesBackend } from './iptables.js';
import { banForwardJumps, banJumps, banRule, banSpec, isBanJump, parseBan, planBans, IPTABLES_BAN_MAX } from './iptables-bans.js';
import { isBanStore } from '../bans/kernel-queue.js';

const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const SEC = NOW / 1000;
const LAYOUT: Layout = { protected: [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 62201 }], forwarded: [], spaPorts: [62201, 62202] };
const CHAIN = 'PORTCULLIS-BANS';
// As `iptables -w -S PORTCULLIS-BANS` prints them.
const BANS4 = `-N PORTCULLIS-BANS
-A PORTCULLIS-BANS -s 10.20.0.2/32 -m time --datestop 2026-01-01T00:00:59 -m comment --comment "portcullis ban exp=${SEC + 60}" -j DROP
-A PORTCULLIS-BANS -s 10.20.0.9/32 -m time --datestop 2025-12-31T23:59:49 -m comment --comment "portcullis ban exp=${SEC - 10}" -j DROP
`;
const BANS6 = `-N PORTCULLIS-BANS
-A PORTCULLIS-BANS -s 2001:db8::7/128 -m time --datestop 2026-01-01T00:09:59 -m comment --comment "portcullis ban exp=${SEC + 600}" -j DROP
`;

describe('iptables ban rules', () => {
  it('jumps into the ban chain for every protected port and the SPA ports not among them', () => {
    assert.deepEqual(banJumps(CHAIN, LAYOUT), [
      '-p tcp --dport 22 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS',
      '-p udp --dport 62201 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS',
      '-p udp --dport 62202 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS',
    ]);
    assert.equal(isBanJump('-A PORTCULLIS -p tcp -m tcp --dport 22 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS', CHAIN), true);
    assert.equal(isBanJump('-A PORTCULLIS -p tcp -m tcp --dport 22 -j DROP', CHAIN), false);
  });

  it('on a gateway, jumps for every forwarded destination, in its family', () => {
    const gateway: Layout = { protected: [], forwarded: [{ proto: 'tcp', port: 13389, forward: { host: 'fd00:1::2', port: 3389 } }] };
    assert.deepEqual(banForwardJumps(CHAIN, gateway), [{ family: 6, line: '-d fd00:1::2 -p tcp --dport 3389 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS' }]);
  });

  it('a ban rule stops in the kernel at its expiry (the last matching second is exp - 1, UTC)', () => {
    assert.equal(banSpec(banRule('10.20.0.2', SEC + 60)), `-s 10.20.0.2 -m time --datestop 2026-01-01T00:00:59 -m comment --comment "portcullis ban exp=${SEC + 60}" -j DROP`);
  });

  it('parses the rules back as iptables prints them, and nothing else', () => {
    const lines = BANS4.split('\n');
    assert.deepEqual(parseBan(CHAIN, 4, lines[1]!), { address: '10.20.0.2', exp: SEC + 60, datestop: '2026-01-01T00:00:59' });
    assert.deepEqual(parseBan(CHAIN, 6, BANS6.split('\n')[1]!), { address: '2001:db8::7', exp: SEC + 600, datestop: '2026-01-01T00:09:59' });
    for (const other of [
      lines[0]!,
      lines[1]!.replace('/32', '/24'),
      lines[1]!.replace('-j DROP', '-j ACCEPT'),
      lines[1]!.replace('portcullis ban exp=', 'portcullis exp='),
      lines[1]!.replace('-s 10.20.0.2/32', '-s 10.20.0.2/32 -i eth0'),
      lines[1]!.replace('PORTCULLIS-BANS', 'PORTCULLIS'),
    ]) assert.equal(parseBan(CHAIN, 4, other), undefined, other);
    assert.equal(parseBan(CHAIN, 6, lines[1]!), undefined, 'an IPv4 rule is not an ip6tables ban');
  });

  it('plans deletes of removed, refreshed and expired rules before the additions of its family', () => {
    const present = BANS4.split('\n').flatMap((l) => parseBan(CHAIN, 4, l) ?? []);
    const plan = planBans(CHAIN, 4, present, [{ address: '10.20.0.2', seconds: 300 }, { address: '10.20.0.5', seconds: 30 }, { address: '2001:db8::1', seconds: 5 }], [], NOW);
    assert.deepEqual(plan, { refused: 0, lines: [
      `-D PORTCULLIS-BANS ${banSpec(present[0]!)}`,
      `-D PORTCULLIS-BANS ${banSpec(present[1]!)}`,
      `-A PORTCULLIS-BANS ${banSpec(banRule('10.20.0.2', SEC + 300))}`,
      `-A PORTCULLIS-BANS ${banSpec(banRule('10.20.0.5', SEC + 30))}`,
    ] });
    assert.deepEqual(planBans(CHAIN, 4, present, [], ['10.20.0.2'], NOW).lines, present.map((r) => `-D PORTCULLIS-BANS ${banSpec(r)}`));
    assert.deepEqual(planBans(CHAIN, 4, present, [{ address: '10.20.0.5', seconds: 30 }], 'all', NOW).lines, ['-F PORTCULLIS-BANS', `-A PORTCULLIS-BANS ${banSpec(banRule('10.20.0.5', SEC + 30))}`]);
  });

  it('refuses additions beyond the bound, counting the bans it keeps', () => {
    const present = [banRule('10.0.0.1', SEC + 60), banRule('10.0.0.2', SEC + 60)];
    const plan = planBans(CHAIN, 4, present, [{ address: '10.0.0.3', seconds: 9 }, { address: '10.0.0.4', seconds: 9 }, { address: '10.0.0.1', seconds: 9 }], [], NOW, 3);
    assert.equal(plan.refused, 1);
    assert.deepEqual(plan.lines.map((l) => l.split(' ').slice(0, 3).join(' ')), ['-D PORTCULLIS-BANS -s', '-A PORTCULLIS-BANS -s', '-A PORTCULLIS-BANS -s']);
    assert.match(plan.lines[1]!, /-s 10\.0\.0\.1 /, 'a refresh of a kept ban is never refused');
    assert.ok(IPTABLES_BAN_MAX >= 1024);
  });

  it('refuses values that are not literals before anything runs', () => {
    assert.throws(() => planBans(CHAIN, 4, [], [{ address: '10.0.0.1 -j ACCEPT', seconds: 5 }], [], NOW), FirewallError);
    assert.throws(() => planBans(CHAIN, 4, [], [{ address: '10.0.0.1', seconds: 0.5 }], [], NOW), FirewallError);
    assert.throws(() => planBans(CHAIN, 4, [], [], ['10.0.0.0/8'], NOW), FirewallError);
  });
});

function firewall(chains: Record<string, string>) {
  const runner = new RecordingToolRunner();
  runner.respond = (c: RecordedCall): ToolResult => {
    const [, , table, op, chain] = c.args;
    if (op !== '-S') return { code: 0, stdout: '', stderr: '' };
    if (chain === undefined) return { code: 0, stdout: '-P INPUT ACCEPT\n', stderr: '' };
    const listed = chains[`${c.file} ${table} ${chain}`];
    return listed !== undefined ? { code: 0, stdout: listed, stderr: '' } : { code: 1, stdout: '', stderr: 'no chain' };
  };
  const backend = new IptablesBackend({ runner, now: () => NOW });
  return { runner, backend, scripts: (file: string) => runner.calls.filter((c) => c.file === file).map((c) => c.input) };
}

describe('iptables backend as a BanStore', () => {
  it('is detected as one, lists the live bans of both families and applies a batch per family', async () => {
    const f = firewall({ 'iptables filter PORTCULLIS-BANS': BANS4, 'ip6tables filter PORTCULLIS-BANS': BANS6 });
    assert.ok(isBanStore(f.backend));
    assert.deepEqual(await f.backend.listBans(NOW), [{ address: '10.20.0.2', until: (SEC + 60) * 1000 }, { address: '2001:db8::7', until: (SEC + 600) * 1000 }]);
    await f.backend.applyBans([{ address: '2001:db8::9', seconds: 20 }], ['2001:db8::7']);
    assert.deepEqual(f.scripts('ip6tables-restore'), [`*filter\n-D PORTCULLIS-BANS ${banSpec(banRule('2001:db8::7', SEC + 600))}\n-A PORTCULLIS-BANS ${banSpec(banRule('2001:db8::9', SEC + 20))}\nCOMMIT\n`]);
    assert.deepEqual(f.scripts('iptables-restore'), [`*filter\n-D PORTCULLIS-BANS ${banSpec(banRule('10.20.0.9', SEC - 10))}\nCOMMIT\n`], 'the expired IPv4 rule is cleaned up');
  });

  it('prepare keeps the live bans (a restart) and inserts grants after the ban jumps', async () => {
    const f = firewall({ 'iptables filter PORTCULLIS-BANS': BANS4 });
    await f.backend.prepare(LAYOUT);
    const v4 = f.scripts('iptables-restore')[0]!.split('\n');
    assert.deepEqual(v4.slice(0, 3), ['*filter', ':PORTCULLIS-BANS - [0:0]', `-A PORTCULLIS-BANS ${banSpec(banRule('10.20.0.2', SEC + 60))}`]);
    assert.equal(v4.filter((l) => l.includes('10.20.0.9')).length, 0, 'an expired ban is not put back');
    const g = firewall({ 'iptables filter PORTCULLIS': `-N PORTCULLIS\n-A PORTCULLIS -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n${banJumps(CHAIN, LAYOUT).map((j) => `-A PORTCULLIS ${j}`).join('\n')}\n` });
    await g.backend.open([{ address: '10.20.0.3', family: 4, service: { proto: 'tcp', port: 22 }, expiresAt: NOW + 60_000 }], NOW);
    assert.match(g.scripts('iptables-restore')[0]!, /^-I PORTCULLIS 5 -s 10\.20\.0\.3 /m, 'after ESTABLISHED and three ban jumps');
    const jump = '-A PORTCULLIS-FWD -d 10.20.1.2/32 -p tcp -m tcp --dport 3389 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS';
    const h = firewall({ 'iptables filter PORTCULLIS-FWD': `-N PORTCULLIS-FWD\n-A PORTCULLIS-FWD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n${jump}\n`, 'iptables nat PORTCULLIS-DNAT': '-N PORTCULLIS-DNAT\n' });
    await h.backend.open([{ address: '10.20.0.3', family: 4, service: { proto: 'tcp', port: 13389 }, forward: { host: '10.20.1.2', port: 3389 }, expiresAt: NOW + 60_000 }], NOW);
    assert.match(h.scripts('iptables-restore')[0]!, /^-I PORTCULLIS-FWD 3 -s 10\.20\.0\.3 /m, 'after ESTABLISHED and the ban jump');
    assert.match(h.scripts('iptables-restore')[0]!, /^-I PORTCULLIS-DNAT 1 /m);
  });

  it('applies what fits and then reports the refused bans', async () => {
    const full = Array.from({ length: IPTABLES_BAN_MAX }, (_, i) => `-A PORTCULLIS-BANS ${banSpec(banRule(`10.1.${i >> 8}.${i & 255}`, SEC + 60))}`).join('\n');
    const f = firewall({ 'iptables filter PORTCULLIS-BANS': `-N PORTCULLIS-BANS\n${full}\n` });
    await assert.rejects(f.backend.applyBans([{ address: '10.9.9.9', seconds: 5 }, { address: '2001:db8::9', seconds: 5 }], []), /holds at most 1024 bans per family; 1 more/);
    assert.match(f.scripts('ip6tables-restore')[0]!, /-A PORTCULLIS-BANS -s 2001:db8::9 /);
    assert.deepEqual(f.scripts('iptables-restore'), [], 'nothing to write for the full family');
  });
});
