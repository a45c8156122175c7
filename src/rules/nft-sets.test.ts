import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DoorPlan, RulesPlan } from './model.js';
import { nftRules } from './nft-sets.js';
import { linesFrom, plan } from './testing.js';

const body = (script: string) => linesFrom(script, 'add table ');

describe('nft script with timeout sets', () => {
  it('golden: sets per stage and family, the input chain, a chain per door and family', () => {
    assert.deepEqual(body(nftRules(plan())), [
      'add table inet portcullis_rules',
      'delete table inet portcullis_rules',
      'table inet portcullis_rules {',
      '\tset openSSH_s1_4 { type ipv4_addr; size 65536; flags dynamic, timeout; }',
      '\tset openSSH_s2_4 { type ipv4_addr; size 65536; flags dynamic, timeout; }',
      '\tset openSSH_start_4 { type ipv4_addr; size 65536; flags dynamic, timeout; }',
      '\tset openSSH_wait_4 { type ipv4_addr; size 65536; flags dynamic, timeout; }',
      '\tset openSSH_open_4 { type ipv4_addr; size 65536; flags dynamic, timeout; }',
      '\tset openSSH_s1_6 { type ipv6_addr; size 65536; flags dynamic, timeout; }',
      '\tset openSSH_s2_6 { type ipv6_addr; size 65536; flags dynamic, timeout; }',
      '\tset openSSH_start_6 { type ipv6_addr; size 65536; flags dynamic, timeout; }',
      '\tset openSSH_wait_6 { type ipv6_addr; size 65536; flags dynamic, timeout; }',
      '\tset openSSH_open_6 { type ipv6_addr; size 65536; flags dynamic, timeout; }',
      '\tset ssh22_s1_4 { type ipv4_addr; size 65536; flags dynamic, timeout; }',
      '\tset ssh22_open_4 { type ipv4_addr; size 65536; flags dynamic, timeout; }',
      '\tset ssh22_cool_4 { type ipv4_addr; size 65536; flags dynamic, timeout; }',
      '\tset vpn_open_6 { type ipv6_addr; size 65536; flags dynamic, timeout; }',
      '',
      '\tchain input {',
      '\t\ttype filter hook input priority -10; policy accept;',
      '\t\tct state established,related accept',
      '\t\tmeta nfproto ipv4 jump openSSH_4',
      '\t\tmeta nfproto ipv6 jump openSSH_6',
      '\t\tmeta nfproto ipv4 jump ssh22_4',
      '\t\tmeta nfproto ipv6 ip6 daddr 2001:db8::1 jump vpn_6',
      '\t\tip saddr @openSSH_open_4 meta l4proto . th dport { tcp . 22 } accept',
      '\t\tip6 saddr @openSSH_open_6 meta l4proto . th dport { tcp . 22 } accept',
      '\t\tip saddr @ssh22_open_4 meta l4proto . th dport { tcp . 22 } accept',
      '\t\tip6 saddr @vpn_open_6 meta l4proto . th dport { udp . 1194 } accept',
      '\t\tmeta l4proto . th dport { tcp . 22, tcp . 7000, tcp . 9000, udp . 5555, udp . 8000 } counter drop comment "knocks are never answered"',
      '\t\tmeta l4proto . th dport { tcp . 22, udp . 1194 } counter drop comment "open ports: only for opened sources"',
      '\t}',
      '',
      '\tchain openSSH_4 {',
      '\t\ttcp dport 9000 tcp flags & syn == syn ip saddr @openSSH_s2_4 ip saddr != @openSSH_wait_4 ip saddr @openSSH_start_4 update @openSSH_open_4 { ip saddr timeout 30s } delete @openSSH_s2_4 { ip saddr } delete @openSSH_start_4 { ip saddr } return',
      '\t\tudp dport 8000 ip saddr @openSSH_s1_4 ip saddr != @openSSH_wait_4 ip saddr @openSSH_start_4 update @openSSH_s2_4 { ip saddr timeout 5s } update @openSSH_wait_4 { ip saddr timeout 1s } delete @openSSH_s1_4 { ip saddr } return',
      '\t\ttcp dport { 22, 7000, 9000 } tcp flags & syn == syn delete @openSSH_s1_4 { ip saddr } delete @openSSH_s2_4 { ip saddr } delete @openSSH_start_4 { ip saddr }',
      '\t\tudp dport { 5555, 8000 } delete @openSSH_s1_4 { ip saddr } delete @openSSH_s2_4 { ip saddr } delete @openSSH_start_4 { ip saddr }',
      '\t\ttcp dport 7000 tcp flags & syn == syn update @openSSH_s1_4 { ip saddr timeout 5s } update @openSSH_start_4 { ip saddr timeout 10s } update @openSSH_wait_4 { ip saddr timeout 1s } return',
      '\t}',
      '',
      '\tchain openSSH_6 {',
      '\t\ttcp dport 9000 tcp flags & syn == syn ip6 saddr @openSSH_s2_6 ip6 saddr != @openSSH_wait_6 ip6 saddr @openSSH_start_6 update @openSSH_open_6 { ip6 saddr timeout 30s } delete @openSSH_s2_6 { ip6 saddr } delete @openSSH_start_6 { ip6 saddr } return',
      '\t\tudp dport 8000 ip6 saddr @openSSH_s1_6 ip6 saddr != @openSSH_wait_6 ip6 saddr @openSSH_start_6 update @openSSH_s2_6 { ip6 saddr timeout 5s } update @openSSH_wait_6 { ip6 saddr timeout 1s } delete @openSSH_s1_6 { ip6 saddr } return',
      '\t\ttcp dport { 22, 7000, 9000 } tcp flags & syn == syn delete @openSSH_s1_6 { ip6 saddr } delete @openSSH_s2_6 { ip6 saddr } delete @openSSH_start_6 { ip6 saddr }',
      '\t\tudp dport { 5555, 8000 } delete @openSSH_s1_6 { ip6 saddr } delete @openSSH_s2_6 { ip6 saddr } delete @openSSH_start_6 { ip6 saddr }',
      '\t\ttcp dport 7000 tcp flags & syn == syn update @openSSH_s1_6 { ip6 saddr timeout 5s } update @openSSH_start_6 { ip6 saddr timeout 10s } update @openSSH_wait_6 { ip6 saddr timeout 1s } return',
      '\t}',
      '',
      '\tchain ssh22_4 {',
      '\t\ttcp dport 22 ip saddr @ssh22_s1_4 update @ssh22_open_4 { ip saddr timeout 60s } update @ssh22_cool_4 { ip saddr timeout 5s } delete @openSSH_open_4 { ip saddr } delete @ssh22_s1_4 { ip saddr } return',
      '\t\ttcp dport 22 ip saddr @ssh22_s1_4 return',
      '\t\ttcp dport { 7000, 9000 } tcp flags & syn == syn delete @ssh22_s1_4 { ip saddr }',
      '\t\ttcp dport 22 delete @ssh22_s1_4 { ip saddr }',
      '\t\tudp dport { 5555, 8000 } delete @ssh22_s1_4 { ip saddr }',
      '\t\ttcp dport 22 ip saddr { 192.0.2.0/24 } ip saddr != @ssh22_cool_4 update @ssh22_s1_4 { ip saddr timeout 4s } return',
      '\t}',
      '',
      '\tchain vpn_6 {',
      '\t\tudp dport 5555 update @vpn_open_6 { ip6 saddr timeout 30s } return',
      '\t}',
      '}',
    ]);
  });

  it('the header says how to load it and that an accept here does not override other tables\' drops', () => {
    const script = nftRules(plan());
    const header = script.slice(0, script.indexOf('add table')).split('\n');
    assert.ok(header.every((l) => l === '' || l.startsWith('#')), 'only comments before the script');
    assert.ok(script.includes('# Load: nft -f THIS_FILE.'));
    assert.ok(script.includes('does not override a drop in another table'));
    assert.ok(script.includes('#   seq_timeout 25 s; each knock at most 4 s after the previous one; IPv4 only; only from 192.0.2.0/24; repeats ignored; cooldown 5 s; closes openSSH\n'));
  });

  it('TCPFlags with several flags, and flags that must all be clear; resets fit both doors\' flags', () => {
    const lines = body(nftRules(plan([
      '[d]', 'sequence = 7000,7001', 'tcpflags = syn,ack,!fin', 'open = tcp/22',
      '[n]', 'sequence = 7002', 'tcpflags = !fin', 'open = tcp/23',
      '[z]', 'sequence = 7003', 'tcpflags = !ack', 'open = tcp/24',
    ].join('\n'))));
    assert.ok(lines.includes('\t\ttcp dport 7000 tcp flags & (fin | syn | ack) == (syn | ack) update @d_s1_4 { ip saddr timeout 25s } return'));
    assert.ok(lines.includes('\t\ttcp dport 7003 tcp flags & ack == 0 update @z_open_4 { ip saddr timeout 30s } return'));
    // [n]'s port fits [d]'s flags too; [z] wants ACK clear, [d] set: no packet to 7003 resets [d].
    assert.ok(lines.includes('\t\ttcp dport 7000-7002 tcp flags & (fin | syn | ack) == (syn | ack) delete @d_s1_4 { ip saddr }'), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('7003') && l.includes('@d_')));
  });

  it('a revoke of a door without sets of this family is left out (nft would refuse the script)', () => {
    const lines = body(nftRules(plan('[v4]\nsequence = 1,2\nopen = tcp/22\nallow = 192.0.2.0/24\n[close]\nsequence = 2,1\nopen = tcp/23\nrevokes = v4\n')));
    assert.ok(lines.some((l) => l.includes('delete @v4_open_4 { ip saddr }')));
    assert.ok(!lines.some((l) => l.includes('v4_open_6')));
  });

  it('refuses values that are not literals', () => {
    const good = plan();
    const door = good.doors[0]!;
    const withDoor = (d: Partial<DoorPlan>): RulesPlan => ({ ...good, doors: [{ ...door, ...d }] });
    const bad: Array<() => string> = [
      () => nftRules(withDoor({ id: 'x; flush ruleset' })),
      () => nftRules(withDoor({ steps: [{ proto: 'tcp', port: 70000 }] })),
      () => nftRules(withDoor({ seqTimeoutS: -1 })),
      () => nftRules(withDoor({ minGapS: 0.5 })),
      () => nftRules(withDoor({ target: { family: 6, address: '2001:db8::1 } ; flush ruleset ; {' } })),
      () => nftRules(withDoor({ resets: [{ proto: 'tcp', ports: [{ from: 9, to: 3 }], flags: { mask: [], set: [] } }] })),
      () => nftRules({ ...good, protectedPorts: [{ proto: 'icmp' as 'tcp', port: 1 }] }),
    ];
    for (const f of bad) assert.throws(f, (e: unknown) => (e as { code?: string }).code === 'RULES_BAD_VALUE');
  });
});
