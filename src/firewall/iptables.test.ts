// The iptables backend against a recording runner: the exact restore scripts
// of prepare/open/close/remove, the `-S` parser on outputs captured from
// iptables 1.8.9 (nf_tables), literals that would change a line refused
// before anything runs, and a failing tool reported, never ignored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FirewallError, type Entry, type Layout, type Service } from './backend.js';
import { RecordingToolRunner, type RecordedCall, type ToolResult } from './tool.js';
import { IptablesBackend } from './iptables.js';
import { datestopFor, expirySecond } from './iptables-literals.js';
import { parseGrant, tokenize } from './iptables-spec.js';

const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const SSH = { proto: 'tcp', port: 22 } as const;
const LAYOUT: Layout = { protected: [SSH, { proto: 'udp', port: 1194 }], forwarded: [] };
const RDP = { proto: 'tcp', port: 13389 } as const;
const INSIDE = { host: '10.20.1.2', port: 3389 };
const GATEWAY: Layout = { protected: [], forwarded: [{ ...RDP, forward: INSIDE }] };

// Captured with `iptables -w -S PORTCULLIS` etc. after the backend ran in a namespace.
const INPUT4 = `-N PORTCULLIS
-A PORTCULLIS -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A PORTCULLIS -s 10.20.0.2/32 -p tcp -m tcp --dport 22 -m time --datestop 2026-01-01T00:00:59 -m comment --comment "portcullis exp=1767225660" -j ACCEPT
-A PORTCULLIS -p tcp -m tcp --dport 22 -m comment --comment "portcullis protected" -j DROP
-A PORTCULLIS -p udp -m udp --dport 1194 -m comment --comment "portcullis protected" -j DROP
`;
const INPUT6 = `-N PORTCULLIS
-A PORTCULLIS -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A PORTCULLIS -s 2001:db8::7/128 -p udp -m udp --dport 1194 -m time --datestop 2026-01-01T00:10:00 -m comment --comment "portcullis exp=1767226201" -j ACCEPT
-A PORTCULLIS -p tcp -m tcp --dport 22 -m comment --comment "portcullis protected" -j DROP
`;
const FWD6 = `-N PORTCULLIS-FWD
-A PORTCULLIS-FWD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A PORTCULLIS-FWD -s fd00::3/128 -d fd00:0:0:1::2/128 -p tcp -m tcp --dport 3389 -m conntrack --ctstate DNAT --ctorigdstport 13389 -m time --datestop 2026-01-01T00:59:59 -m comment --comment "portcullis exp=1767229200" -j ACCEPT
-A PORTCULLIS-FWD -d fd00:0:0:1::2/128 -p tcp -m tcp --dport 3389 -m comment --comment "portcullis protected" -j DROP
`;
const DNAT6 = `-N PORTCULLIS-DNAT
-A PORTCULLIS-DNAT -s fd00::3/128 -p tcp -m tcp --dport 13389 -m time --datestop 2026-01-01T00:59:59 -m comment --comment "portcullis exp=1767229200" -j DNAT --to-destination [fd00:0:0:1::2]:3389
`;
const FWD4 = `-N PORTCULLIS-FWD
-A PORTCULLIS-FWD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A PORTCULLIS-FWD -s 10.20.0.3/32 -d 10.20.1.2/32 -p tcp -m tcp --dport 3389 -m conntrack --ctstate DNAT --ctorigdstport 13389 -m time --datestop 2026-01-01T00:59:59 -m comment --comment "portcullis exp=1767229200" -j ACCEPT
`;
const DNAT4 = `-N PORTCULLIS-DNAT
-A PORTCULLIS-DNAT -s 10.20.0.3/32 -p tcp -m tcp --dport 13389 -m time --datestop 2026-01-01T00:59:59 -m comment --comment "portcullis exp=1767229200" -j DNAT --to-destination 10.20.1.2:3389
`;
const BUILTIN = ['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING'];
const POLICIES = '-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n';
// What iptables-nft says for `-S CHAIN` when the chain does not exist.
const NO_CHAIN: ToolResult = { code: 1, stdout: '', stderr: "iptables v1.8.9 (nf_tables): chain `PORTCULLIS' in table `filter' is incompatible, use 'nft' tool.\n" };

/**
 * A firewall seen through the runner: `chains` maps "iptables filter CHAIN"
 * to its -S output (absent: no such chain); `jumps` lists the chains whose
 * jump `-C` finds. Everything else succeeds with no output.
 */
function firewall(chains: Record<string, string> = {}, jumps: string[] = []) {
  const runner = new RecordingToolRunner();
  runner.respond = (c: RecordedCall): ToolResult => {
    const [w, , table, op, chain] = c.args;
    if (w !== '-w' || (c.file !== 'iptables' && c.file !== 'ip6tables')) return { code: 0, stdout: '', stderr: '' };
    if (op === '-S' && chain === undefined) return { code: 0, stdout: POLICIES, stderr: '' };
    const listed = chains[`${c.file} ${table} ${chain}`] ?? (BUILTIN.includes(chain!) ? `-P ${chain} ACCEPT\n` : undefined);
    if (op === '-S') return listed !== undefined ? { code: 0, stdout: listed, stderr: '' } : NO_CHAIN;
    if (op === '-C') return jumps.includes(c.args.at(-1)!) ? { code: 0, stdout: '', stderr: '' } : { code: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
    return { code: 0, stdout: '', stderr: '' };
  };
  const scripts = (file: string) => runner.calls.filter((c) => c.file === file).map((c) => { assert.deepEqual(c.args, ['-w', '--noflush']); return c.input; });
  return { runner, scripts, backend: new IptablesBackend({ runner }) };
}

const entry = (address: string, service: Service = SSH, seconds = 60): Entry =>
  ({ address, family: address.includes(':') ? 6 : 4, service, expiresAt: NOW + seconds * 1000 });

describe('iptables backend', () => {
  it('prepare on a fresh firewall: the chain with ESTABLISHED, the drops and the jump, in one restore per family', async () => {
    const f = firewall();
    await f.backend.prepare(LAYOUT);
    const script = (chainJump: string) => [
      '*filter',
      ':PORTCULLIS-BANS - [0:0]',
      ':PORTCULLIS - [0:0]',
      '-A PORTCULLIS -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A PORTCULLIS -p tcp --dport 22 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS',
      '-A PORTCULLIS -p udp --dport 1194 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS',
      '-A PORTCULLIS -p tcp --dport 22 -m comment --comment "portcullis protected" -j DROP',
      '-A PORTCULLIS -p udp --dport 1194 -m comment --comment "portcullis protected" -j DROP',
      chainJump,
      'COMMIT',
      '',
    ].join('\n');
    assert.deepEqual(f.scripts('iptables-restore'), [script('-I INPUT 1 -m comment --comment portcullis -j PORTCULLIS')]);
    assert.deepEqual(f.scripts('ip6tables-restore'), [script('-I INPUT 1 -m comment --comment portcullis -j PORTCULLIS')]);
    assert.ok(f.runner.lines().includes('iptables -w -t filter -C INPUT -m comment --comment portcullis -j PORTCULLIS'));
    assert.ok(f.runner.calls.every((c) => c.args[0] === '-w'), 'always -w (the xtables lock)');
  });

  it('prepare again keeps the grants (as iptables printed them) between ESTABLISHED and the drops, and no second jump', async () => {
    const f = firewall({ 'iptables filter PORTCULLIS': INPUT4, 'ip6tables filter PORTCULLIS': INPUT6 }, ['PORTCULLIS']);
    await f.backend.prepare(LAYOUT);
    const [v4] = f.scripts('iptables-restore');
    assert.deepEqual(v4!.split('\n').slice(2, 8), [
      ':PORTCULLIS - [0:0]',
      '-A PORTCULLIS -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A PORTCULLIS -p tcp --dport 22 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS',
      '-A PORTCULLIS -p udp --dport 1194 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS',
      '-A PORTCULLIS -s 10.20.0.2 -p tcp --dport 22 -m time --datestop 2026-01-01T00:00:59 -m comment --comment "portcullis exp=1767225660" -j ACCEPT',
      '-A PORTCULLIS -p tcp --dport 22 -m comment --comment "portcullis protected" -j DROP',
    ]);
    assert.doesNotMatch(v4!, /-I INPUT/);
    assert.match(f.scripts('ip6tables-restore')[0]!, /^-A PORTCULLIS -s 2001:db8::7 -p udp --dport 1194 .*"portcullis exp=1767226201" -j ACCEPT$/m);
  });

  it('prepare of a gateway: DNAT chain from PREROUTING, FWD chain from FORWARD with the drop of the inside destination', async () => {
    const f = firewall({ 'iptables filter PORTCULLIS-FWD': FWD4, 'iptables nat PORTCULLIS-DNAT': DNAT4 }, ['PORTCULLIS-DNAT']);
    await f.backend.prepare(GATEWAY);
    assert.equal(f.scripts('iptables-restore')[0], [
      '*filter',
      ':PORTCULLIS-BANS - [0:0]',
      ':PORTCULLIS - [0:0]',
      ':PORTCULLIS-FWD - [0:0]',
      '-A PORTCULLIS -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A PORTCULLIS-FWD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A PORTCULLIS-FWD -d 10.20.1.2 -p tcp --dport 3389 -m comment --comment "portcullis bans" -j PORTCULLIS-BANS',
      '-A PORTCULLIS-FWD -s 10.20.0.3 -d 10.20.1.2 -p tcp --dport 3389 -m conntrack --ctstate DNAT --ctorigdstport 13389 -m time --datestop 2026-01-01T00:59:59 -m comment --comment "portcullis exp=1767229200" -j ACCEPT',
      '-A PORTCULLIS-FWD -d 10.20.1.2 -p tcp --dport 3389 -m comment --comment "portcullis protected" -j DROP',
      '-I INPUT 1 -m comment --comment portcullis -j PORTCULLIS',
      '-I FORWARD 1 -m comment --comment portcullis -j PORTCULLIS-FWD',
      'COMMIT',
      '*nat',
      ':PORTCULLIS-DNAT - [0:0]',
      '-A PORTCULLIS-DNAT -s 10.20.0.3 -p tcp --dport 13389 -m time --datestop 2026-01-01T00:59:59 -m comment --comment "portcullis exp=1767229200" -j DNAT --to-destination 10.20.1.2:3389',
      'COMMIT',
      '',
    ].join('\n'));
    assert.doesNotMatch(f.scripts('ip6tables-restore')[0]!, /-j DROP/, 'an IPv4 destination is dropped by iptables only');
  });

  it('gateway chains that are there stay managed without forwards in the layout (their grants are kept); otherwise forward entries are refused', async () => {
    const f = firewall({ 'iptables filter PORTCULLIS-FWD': FWD4, 'iptables nat PORTCULLIS-DNAT': DNAT4 });
    await f.backend.prepare(LAYOUT);
    assert.match(f.scripts('iptables-restore')[0]!, /^-A PORTCULLIS-DNAT -s 10\.20\.0\.3 .*--to-destination 10\.20\.1\.2:3389$/m);
    const plain = firewall();
    await plain.backend.prepare(LAYOUT);
    assert.doesNotMatch(plain.scripts('iptables-restore')[0]!, /FWD|DNAT|\*nat/, 'no gateway chains on a host that forwards nothing');
    assert.ok(!plain.runner.lines().some((l) => l.includes('-t nat')), 'nor a look at the nat table (iptables-legacy would load its module)');
    const forward: Entry = { address: '10.20.0.3', family: 4, service: RDP, forward: INSIDE, expiresAt: NOW + 60_000 };
    await assert.rejects(plain.backend.open([forward], NOW), (err: unknown) => err instanceof FirewallError && err.code === 'FIREWALL_BAD_VALUE');
  });

  it('open deletes the old rule by its exact spec, then inserts after ESTABLISHED, in one commit: one rule per entry', async () => {
    const f = firewall({ 'iptables filter PORTCULLIS': INPUT4 });
    await f.backend.open([entry('10.20.0.2', SSH, 600), entry('10.20.0.9')], NOW);
    assert.deepEqual(f.scripts('iptables-restore'), [[
      '*filter',
      '-D PORTCULLIS -s 10.20.0.2 -p tcp --dport 22 -m time --datestop 2026-01-01T00:00:59 -m comment --comment "portcullis exp=1767225660" -j ACCEPT',
      '-I PORTCULLIS 2 -s 10.20.0.2 -p tcp --dport 22 -m time --datestop 2026-01-01T00:09:59 -m comment --comment "portcullis exp=1767226200" -j ACCEPT',
      '-I PORTCULLIS 2 -s 10.20.0.9 -p tcp --dport 22 -m time --datestop 2026-01-01T00:00:59 -m comment --comment "portcullis exp=1767225660" -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n')]);
    assert.deepEqual(f.scripts('ip6tables-restore'), [], 'no IPv6 entry: ip6tables is not run');
    assert.ok(!f.runner.lines().some((l) => l.startsWith('ip6tables')));
  });

  it('open of a forward entry: DNAT in nat, the forward accept in filter, both in one IPv6 restore', async () => {
    const f = firewall();
    await f.backend.open([{ address: 'fd00:0::3', family: 6, service: RDP, forward: { host: 'fd00:0:0:1:0::2', port: 3389 }, expiresAt: NOW + 3_600_000 }], NOW);
    assert.deepEqual(f.scripts('ip6tables-restore'), [[
      '*nat',
      '-I PORTCULLIS-DNAT 1 -s fd00::3 -p tcp --dport 13389 -m time --datestop 2026-01-01T00:59:59 -m comment --comment "portcullis exp=1767229200" -j DNAT --to-destination [fd00:0:0:1::2]:3389',
      'COMMIT',
      '*filter',
      '-I PORTCULLIS-FWD 2 -s fd00::3 -d fd00:0:0:1::2 -p tcp --dport 3389 -m conntrack --ctstate DNAT --ctorigdstport 13389 -m time --datestop 2026-01-01T00:59:59 -m comment --comment "portcullis exp=1767229200" -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n')]);
  });

  it('close deletes what is there; a missing entry needs no restore at all', async () => {
    const f = firewall({ 'ip6tables filter PORTCULLIS-FWD': FWD6, 'ip6tables nat PORTCULLIS-DNAT': DNAT6 });
    await f.backend.close([{ address: 'fd00::3', family: 6, service: RDP, forward: { host: 'fd00:0:0:1::2', port: 3389 } }, { address: '10.9.9.9', family: 4, service: SSH }]);
    const [script] = f.scripts('ip6tables-restore');
    assert.equal(script!.split('\n').filter((l) => l.startsWith('-D ')).length, 2, script);
    assert.match(script!, /^-D PORTCULLIS-DNAT -s fd00::3 -p tcp --dport 13389 .* --to-destination \[fd00:0:0:1::2\]:3389$/m);
    assert.deepEqual(f.scripts('iptables-restore'), [], '10.9.9.9 has no rule: nothing to run');
  });

  it('list reads every chain of both families, canonical addresses, expiry from the comment', async () => {
    const f = firewall({ 'iptables filter PORTCULLIS': INPUT4, 'ip6tables filter PORTCULLIS': INPUT6, 'ip6tables filter PORTCULLIS-FWD': FWD6, 'ip6tables nat PORTCULLIS-DNAT': DNAT6 });
    const got = await f.backend.list(NOW);
    assert.deepEqual(got.sort((a, b) => a.address.localeCompare(b.address)), [
      { address: '10.20.0.2', family: 4, service: SSH, expiresAt: 1_767_225_660_000 },
      { address: '2001:db8::7', family: 6, service: { proto: 'udp', port: 1194 }, expiresAt: 1_767_226_201_000 },
      { address: 'fd00::3', family: 6, service: RDP, forward: { host: 'fd00:0:0:1::2', port: 3389 }, expiresAt: 1_767_229_200_000 },
    ]);
  });

  it('list before prepare: missing chains are no entries, not an error', async () => {
    assert.deepEqual(await firewall().backend.list(NOW), []);
  });

  it('remove deletes the jumps, then flushes and deletes the chains; nothing there, nothing run', async () => {
    const f = firewall({
      'iptables filter INPUT': '-P INPUT ACCEPT\n-A INPUT -m comment --comment portcullis -j PORTCULLIS\n-A INPUT -p tcp --dport 80 -j ACCEPT\n',
      'iptables filter PORTCULLIS': INPUT4,
    });
    await f.backend.remove();
    assert.deepEqual(f.scripts('iptables-restore'), ['*filter\n-D INPUT -m comment --comment portcullis -j PORTCULLIS\n-F PORTCULLIS\n-X PORTCULLIS\nCOMMIT\n']);
    assert.deepEqual(f.scripts('ip6tables-restore'), []);
  });

  it('refuses values that would change a rule, before running anything', async () => {
    const f = firewall();
    const bad: Entry[] = [
      entry('1.2.3.4 -j ACCEPT'),
      entry('1.2.3.4\n-A INPUT -j ACCEPT'),
      entry('10.0.0.0/8'),
      entry('1.2.3.4', { proto: 'tcp', port: 0 }),
      entry('1.2.3.4', { proto: 'tcp', port: 65536 }),
      entry('1.2.3.4', { proto: 'tcp', port: 22.5 }),
      entry('1.2.3.4', { proto: 'icmp' as 'tcp', port: 22 }),
      { ...entry('1.2.3.4'), family: 6 },
      { ...entry('1.2.3.4'), forward: { host: 'fd00::2', port: 3389 } },
      { ...entry('1.2.3.4'), forward: { host: '10.0.0.2 --to-destination 6.6.6.6', port: 3389 } },
    ];
    for (const e of bad) await assert.rejects(f.backend.open([e], NOW), (err: unknown) => err instanceof FirewallError && err.code === 'FIREWALL_BAD_VALUE', JSON.stringify(e));
    await assert.rejects(f.backend.prepare({ protected: [{ proto: 'tcp', port: 70000 }], forwarded: [] }), FirewallError);
    for (const chain of ['MY CHAIN', 'X"', '-j', 'A'.repeat(29), 'A'.repeat(24)]) {
      assert.throws(() => new IptablesBackend({ runner: f.runner, chain }), FirewallError, chain);
    }
    assert.deepEqual(f.runner.calls, [], 'nothing ran');
  });

  it('a failing tool is a FirewallError carrying its stderr, never success', async () => {
    const f = firewall();
    f.runner.respond = () => ({ code: 4, stdout: '', stderr: 'iptables-restore: line 2 failed: Resource problem' });
    await assert.rejects(f.backend.prepare(LAYOUT), (err: unknown) => err instanceof FirewallError && err.code === 'FIREWALL_TOOL_FAILED' && /Resource problem/.test(err.message));
    await assert.rejects(f.backend.list(NOW), FirewallError);
    const g = firewall();
    g.runner.respond = (c) => (c.file.endsWith('-restore') ? { code: 1, stdout: '', stderr: 'iptables-restore: line 2 failed' } : { code: 0, stdout: INPUT4, stderr: '' });
    await assert.rejects(g.backend.open([entry('10.20.0.5')], NOW), /line 2 failed/);
    await assert.rejects(g.backend.close([entry('10.20.0.2')]), /line 2 failed/);
  });
});

describe('iptables rule specs', () => {
  it('tokenize reads quotes and escapes as iptables prints them', () => {
    assert.deepEqual(tokenize('-A X -m comment --comment "a \\"b\\" c" -j ACCEPT'), ['-A', 'X', '-m', 'comment', '--comment', 'a "b" c', '-j', 'ACCEPT']);
  });

  it('only rules in Portcullis\'s own form are grants', () => {
    const ok = '-A PORTCULLIS -s 10.20.0.2/32 -p tcp -m tcp --dport 22 -m time --datestop 2026-01-01T00:00:59 -m comment --comment "portcullis exp=1767225660" -j ACCEPT';
    assert.ok(parseGrant('input', 'PORTCULLIS', 4, ok));
    assert.equal(parseGrant('input', 'OTHER', 4, ok), undefined);
    assert.equal(parseGrant('input', 'PORTCULLIS', 6, ok), undefined, 'wrong family');
    for (const [from, to] of [['-s 10.20.0.2/32', '-s 10.20.0.0/24'], ['-s 10.20.0.2/32', '! -s 10.20.0.2/32'], ['-p tcp', '-i eth0 -p tcp'], ['-j ACCEPT', '-j DROP'], ['exp=1767225660', 'exp=soon'], ['--dport 22', '--dport 0']]) {
      assert.equal(parseGrant('input', 'PORTCULLIS', 4, ok.replace(from!, to!)), undefined, to);
    }
  });

  it('expiry: rounded up to the second, at least the next one; the kernel matches up to the second before', () => {
    assert.equal(expirySecond(NOW + 1500, NOW), 1_767_225_602);
    assert.equal(expirySecond(NOW - 5000, NOW), 1_767_225_601);
    assert.equal(datestopFor(1_767_225_660), '2026-01-01T00:00:59');
    assert.throws(() => expirySecond(Date.UTC(2040, 0, 1), NOW), FirewallError);
  });
});
