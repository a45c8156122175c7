import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { iptablesRules } from './iptables-recent.js';
import type { DoorPlan, RulesPlan } from './model.js';
import { linesFrom, plan } from './testing.js';

const body = (script: string) => linesFrom(script, '*filter\n');

describe('iptables-restore input with recent lists', () => {
  it('golden: chains, lists, timing and resets for IPv4', () => {
    assert.deepEqual(body(iptablesRules(plan(), 4)), [
      '*filter',
      ':PORTCULLIS-RULES - [0:0]',
      ':PCR-openSSH - [0:0]',
      ':PCR-openSSH-RST - [0:0]',
      ':PCR-ssh22 - [0:0]',
      ':PCR-ssh22-RST - [0:0]',
      ':PCR-ssh22-OPN - [0:0]',
      '-A PORTCULLIS-RULES -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A PORTCULLIS-RULES -j PCR-openSSH',
      '-A PORTCULLIS-RULES -j PCR-ssh22',
      '-A PORTCULLIS-RULES -p tcp -m tcp --dport 22 -m recent --rcheck --seconds 30 --name pcr4_openSSH_open -j ACCEPT',
      '-A PORTCULLIS-RULES -p tcp -m tcp --dport 22 -m recent --rcheck --seconds 60 --name pcr4_ssh22_open -j ACCEPT',
      '-A PORTCULLIS-RULES -p tcp -m multiport --dports 22,7000,9000 -j DROP',
      '-A PORTCULLIS-RULES -p udp -m multiport --dports 5555,8000 -j DROP',
      '-A PORTCULLIS-RULES -p tcp -m tcp --dport 22 -j DROP',
      '-A PORTCULLIS-RULES -p udp -m udp --dport 1194 -j DROP',
      '-A PCR-openSSH -p tcp -m tcp --dport 9000 --tcp-flags SYN SYN -m recent --rcheck --seconds 5 --name pcr4_openSSH_2 -m recent ! --rcheck --seconds 1 --name pcr4_openSSH_2 -m recent --rcheck --seconds 10 --name pcr4_openSSH_start -m recent --remove --name pcr4_openSSH_2 -m recent --remove --name pcr4_openSSH_start -m recent --set --name pcr4_openSSH_open -j RETURN',
      '-A PCR-openSSH -p udp -m udp --dport 8000 -m recent --rcheck --seconds 5 --name pcr4_openSSH_1 -m recent ! --rcheck --seconds 1 --name pcr4_openSSH_1 -m recent --rcheck --seconds 10 --name pcr4_openSSH_start -m recent --remove --name pcr4_openSSH_1 -m recent --set --name pcr4_openSSH_2 -j RETURN',
      '-A PCR-openSSH -p tcp -m multiport --dports 22,7000,9000 -m tcp --tcp-flags SYN SYN -j PCR-openSSH-RST',
      '-A PCR-openSSH -p udp -m multiport --dports 5555,8000 -j PCR-openSSH-RST',
      '-A PCR-openSSH -p tcp -m tcp --dport 7000 --tcp-flags SYN SYN -m recent --set --name pcr4_openSSH_1 -m recent --set --name pcr4_openSSH_start -j RETURN',
      '-A PCR-openSSH-RST -m recent --remove --name pcr4_openSSH_1',
      '-A PCR-openSSH-RST -m recent --remove --name pcr4_openSSH_2',
      '-A PCR-openSSH-RST -m recent --remove --name pcr4_openSSH_start',
      '-A PCR-ssh22 -p tcp -m tcp --dport 22 -m recent --rcheck --seconds 4 --name pcr4_ssh22_1 -m recent --remove --name pcr4_ssh22_1 -m recent --set --name pcr4_ssh22_open -m recent --set --name pcr4_ssh22_cool -g PCR-ssh22-OPN',
      '-A PCR-ssh22 -p tcp -m tcp --dport 22 -m recent --rcheck --seconds 4 --name pcr4_ssh22_1 -j RETURN',
      '-A PCR-ssh22 -p tcp -m multiport --dports 7000,9000 -m tcp --tcp-flags SYN SYN -j PCR-ssh22-RST',
      '-A PCR-ssh22 -p tcp -m tcp --dport 22 -j PCR-ssh22-RST',
      '-A PCR-ssh22 -p udp -m multiport --dports 5555,8000 -j PCR-ssh22-RST',
      '-A PCR-ssh22 -p tcp -m tcp --dport 22 -s 192.0.2.0/24 -m recent ! --rcheck --seconds 5 --name pcr4_ssh22_cool -m recent --set --name pcr4_ssh22_1 -j RETURN',
      '-A PCR-ssh22-RST -m recent --remove --name pcr4_ssh22_1',
      '-A PCR-ssh22-OPN -m recent --remove --name pcr4_openSSH_open',
      'COMMIT',
    ]);
  });

  it('IPv6: ip6tables lists, the IPv6-only door with its Target, no IPv4-only door', () => {
    const lines = body(iptablesRules(plan(), 6));
    assert.ok(lines.includes('-A PORTCULLIS-RULES -d 2001:db8::1 -j PCR-vpn'));
    assert.ok(lines.includes('-A PCR-vpn -p udp -m udp --dport 5555 -m recent --set --name pcr6_vpn_open -j RETURN'));
    assert.ok(!lines.some((l) => l.includes('ssh22') || l.includes('pcr4_')));
    assert.ok(lines.includes('-A PORTCULLIS-RULES -p tcp -m tcp --dport 22 -j DROP'), 'open ports are closed on both families');
  });

  it('the header says how to load the rules and what the kernel leaves out', () => {
    const script = iptablesRules(plan(), 4);
    const header = script.slice(0, script.indexOf('*filter')).split('\n');
    assert.ok(header.every((l) => l === '' || l.startsWith('#')), 'only comments before *filter');
    assert.ok(script.includes('#   iptables-restore --noflush < THIS_FILE\n'));
    assert.ok(script.includes('#   iptables -C INPUT -j PORTCULLIS-RULES 2>/dev/null || iptables -I INPUT -j PORTCULLIS-RULES\n'));
    assert.ok(script.includes('# [openSSH] (line 1): tcp/7000, udp/8000, tcp/9000 (TCPFlags syn) opens tcp/22 for 30 s\n#   seq_timeout 10 s; each knock 1 to 5 s after the previous one\n'));
    assert.ok(script.includes('# Not in the kernel: Decoys = auto'));
    assert.ok(script.endsWith('COMMIT\n'));
  });

  it('more than 15 ports are split over multiport rules; ranges count twice', () => {
    const ports = Array.from({ length: 20 }, (_, i) => String(10001 + 2 * i));
    const lines = body(iptablesRules(plan(`[many]\nsequence = ${ports.join(',')}\nopen = tcp/22\n`), 4));
    const drops = lines.filter((l) => l.startsWith('-A PORTCULLIS-RULES') && l.endsWith('-j DROP'));
    assert.deepEqual(drops.slice(0, 2), [
      `-A PORTCULLIS-RULES -p tcp -m multiport --dports ${ports.slice(0, 15).join(',')} -j DROP`,
      `-A PORTCULLIS-RULES -p tcp -m multiport --dports ${ports.slice(15).join(',')} -j DROP`,
    ]);
    const decoys = body(iptablesRules(plan('[options]\ndecoys = 1-10, 20-30, 40-50, 60-70, 80-90, 100-110, 120-130, 140-150\n[d]\nsequence = 7000,7001\nopen = tcp/22\n'), 4));
    assert.deepEqual(decoys.filter((l) => l.includes('--tcp-flags ACK NONE')), [
      '-A PCR-d -p tcp -m multiport --dports 1:10,20:30,40:50,60:70,80:90,100:110,120:130 -m tcp --tcp-flags ACK NONE -j PCR-d-RST',
      '-A PCR-d -p tcp -m multiport --dports 140:150 -m tcp --tcp-flags ACK NONE -j PCR-d-RST',
    ]);
  });

  it('refuses values that are not literals', () => {
    const good = plan();
    const door = good.doors[0]!;
    const withDoor = (d: Partial<DoorPlan>): RulesPlan => ({ ...good, doors: [{ ...door, ...d }] });
    const bad: Array<() => string> = [
      () => iptablesRules(withDoor({ id: 'x -j ACCEPT' }), 4),
      () => iptablesRules(withDoor({ steps: [{ proto: 'tcp', port: 0 }] }), 4),
      () => iptablesRules(withDoor({ steps: [{ proto: 'sctp' as 'tcp', port: 22 }] }), 4),
      () => iptablesRules(withDoor({ stageWindowS: 1.5 }), 4),
      () => iptablesRules(withDoor({ openTimeoutS: 0 }), 4),
      () => iptablesRules(withDoor({ target: { family: 4, address: '10.0.0.1 -j ACCEPT' } }), 4),
      () => iptablesRules(withDoor({ flags: { mask: ['syn', 'SYN,ACK ACK' as 'syn'], set: [] } }), 4),
      () => iptablesRules(withDoor({ allow: [{ family: 4, bytes: new Uint8Array(4), prefix: 33, text: '0.0.0.0/33' }] }), 4),
      () => iptablesRules({ ...good, knockPorts: [{ proto: 'tcp', port: 65536 }] }, 4),
    ];
    for (const f of bad) assert.throws(f, (e: unknown) => (e as { code?: string }).code === 'RULES_BAD_VALUE');
  });
});
