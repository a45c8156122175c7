import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FirewallError } from './backend.js';
import { elementsCommand, entryElements, prepareScript, removeScript, type NftTarget } from './nft-script.js';

const own: NftTarget = { family: 'inet', table: 'portcullis', integrated: false };
const filter: NftTarget = { family: 'inet', table: 'filter', integrated: true };
const layout = { priority: -10, protected: [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }], forwarded: [] } as const;
const ssh = { proto: 'tcp', port: 22 } as const;

describe('nftables scripts', () => {
  it('own table: created idempotently, rules and protected ports replaced, grants never flushed', () => {
    const s = prepareScript(own, layout);
    const lines = s.trim().split('\n');
    assert.ok(lines.filter((l) => !l.startsWith('add ')).every((l) => l.startsWith('flush chain') || l.startsWith('flush set inet portcullis protected') || l.startsWith('flush set inet portcullis fwdprotected') || l === 'flush set inet portcullis spa_ports'), s);
    assert.ok(!/flush set inet portcullis (grants|fwd[46]|fwdok|banned)/.test(s), 'grant and ban sets must never be flushed');
    assert.ok(s.includes('add element inet portcullis protected { tcp . 22, udp . 1194 }'));
    assert.ok(s.includes('type filter hook input priority -10; policy accept;'));
    const input = lines.filter((l) => l.startsWith('add rule inet portcullis input'));
    assert.deepEqual(input, [
      'add rule inet portcullis input ct state established,related accept',
      // Bans (nft-bans.ts): before the grants, so a banned source's grant lets nothing new in either.
      'add rule inet portcullis input ip saddr @banned4 meta l4proto . th dport @protected counter drop',
      'add rule inet portcullis input ip6 saddr @banned6 meta l4proto . th dport @protected counter drop',
      'add rule inet portcullis input ip saddr @banned4 udp dport @spa_ports counter drop',
      'add rule inet portcullis input ip6 saddr @banned6 udp dport @spa_ports counter drop',
      'add rule inet portcullis input ip saddr . meta l4proto . th dport @grants4 accept',
      'add rule inet portcullis input ip6 saddr . meta l4proto . th dport @grants6 accept',
      'add rule inet portcullis input meta l4proto . th dport @protected counter drop',
    ]);
  });

  it('no protected ports: no empty element list (nft refuses `{ }`)', () => {
    assert.ok(!prepareScript(own, { ...layout, protected: [] }).includes('{  }'));
  });

  it('gateway: inside services are protected in the forward chain, DNAT by map', () => {
    const s = prepareScript(own, { ...layout, forwarded: [{ proto: 'tcp', port: 13389, forward: { host: '10.1.0.2', port: 3389 } }] });
    assert.ok(s.includes('add element inet portcullis fwdprotected4 { 10.1.0.2 . tcp . 3389 }'), s);
    assert.ok(s.includes('add rule inet portcullis prerouting meta nfproto ipv4 dnat ip to ip saddr . meta l4proto . th dport map @fwd4'));
    const refs = entryElements(own, { address: '192.0.2.7', service: { proto: 'tcp', port: 13389 }, forward: { host: '10.1.0.2', port: 3389 } });
    assert.deepEqual(refs, [
      { set: 'fwd4', key: '192.0.2.7 . tcp . 13389', data: '10.1.0.2 . 3389' },
      { set: 'fwdok4', key: '192.0.2.7 . 10.1.0.2 . tcp . 3389' },
    ]);
  });

  it('integrated: only prefixed sets in the administrator\'s table, no chains', () => {
    const s = prepareScript(filter, layout);
    assert.equal(s, [
      'add table inet filter',
      'add set inet filter portcullis_grants4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }',
      'add set inet filter portcullis_grants6 { type ipv6_addr . inet_proto . inet_service; flags timeout; }',
      'add set inet filter portcullis_banned4 { type ipv4_addr; flags timeout; size 65536; }',
      'add set inet filter portcullis_banned6 { type ipv6_addr; flags timeout; size 65536; }',
      '',
    ].join('\n'));
    const remove = removeScript(filter).trim().split('\n');
    assert.deepEqual(remove.filter((l) => l.startsWith('delete')), [
      'delete set inet filter portcullis_grants4', 'delete set inet filter portcullis_grants6',
      'delete set inet filter portcullis_banned4', 'delete set inet filter portcullis_spa_rate4',
      'delete set inet filter portcullis_banned6', 'delete set inet filter portcullis_spa_rate6',
    ]);
    // Ban and rate sets are declared before they are deleted: a set never made cannot fail the transaction.
    assert.ok(remove.indexOf('add set inet filter portcullis_spa_rate4 { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 65536; }') < remove.indexOf('delete set inet filter portcullis_spa_rate4'));
    const ip6only: NftTarget = { family: 'ip6', table: 'f', integrated: true };
    assert.throws(() => entryElements(ip6only, { address: '192.0.2.7', service: ssh }), FirewallError);
  });

  it('open re-adds each element so an existing one gets a fresh timeout; close cannot fail on a missing one', () => {
    const a = entryElements(own, { address: '192.0.2.7', service: ssh })[0]!;
    const b = entryElements(own, { address: '2001:DB8:0:0::1', service: { proto: 'udp', port: 1194 } })[0]!;
    assert.equal(elementsCommand(own, [{ ref: a, seconds: 30 }], [b]), [
      'add element inet portcullis grants6 { 2001:db8::1 . udp . 1194 timeout 1s }',
      'delete element inet portcullis grants6 { 2001:db8::1 . udp . 1194 }',
      'add element inet portcullis grants4 { 192.0.2.7 . tcp . 22 timeout 1s }',
      'delete element inet portcullis grants4 { 192.0.2.7 . tcp . 22 }',
      'add element inet portcullis grants4 { 192.0.2.7 . tcp . 22 timeout 30s }',
    ].join('; '));
  });

  it('refuses anything that is not a literal', () => {
    const bad: Array<() => unknown> = [
      () => entryElements(own, { address: '192.0.2.7 }; flush ruleset; {', service: ssh }),
      () => entryElements(own, { address: '192.0.2.7', service: { proto: 'tcp', port: 0 } }),
      () => entryElements(own, { address: '192.0.2.7', service: { proto: 'sctp' as 'tcp', port: 22 } }),
      () => entryElements(own, { address: '192.0.2.7', service: ssh, forward: { host: 'fd00::1', port: 22 } }),
      () => elementsCommand(own, [{ ref: { set: 'grants4', key: '192.0.2.7 . tcp . 22' }, seconds: 0 }], []),
      () => prepareScript({ ...own, table: 'bad name' }, layout),
      () => prepareScript(own, { ...layout, priority: 1.5 }),
      () => removeScript({ ...own, table: 'x;y' }),
    ];
    for (const f of bad) assert.throws(f, (e: unknown) => e instanceof FirewallError && e.code === 'FIREWALL_BAD_VALUE');
  });
});
