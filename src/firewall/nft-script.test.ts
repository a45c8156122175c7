import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeScript, dropTableScript, NftScriptError, openScript, ownTableScript } from './nft-script.js';

const table = { name: 'portcullis', priority: -10, protected: [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }] } as const;

describe('nftables scripts', () => {
  it('creates the table idempotently and replaces only the rules and protected ports', () => {
    const s = ownTableScript(table);
    const lines = s.trim().split('\n');
    // add (never create) for table, sets and chain: an existing table and its grants survive.
    assert.ok(lines.slice(0, 5).every((l) => l.startsWith('add ')), s);
    assert.ok(!/flush set inet portcullis grants/.test(s), 'grants must never be flushed');
    assert.ok(s.includes('flush chain inet portcullis input'));
    assert.ok(s.includes('add element inet portcullis protected { tcp . 22, udp . 1194 }'));
    assert.ok(s.includes('type filter hook input priority -10; policy accept;'));
    assert.deepEqual(lines.slice(-4), [
      'add rule inet portcullis input ct state established,related accept',
      'add rule inet portcullis input ip saddr . meta l4proto . th dport @grants4 accept',
      'add rule inet portcullis input ip6 saddr . meta l4proto . th dport @grants6 accept',
      'add rule inet portcullis input meta l4proto . th dport @protected counter drop',
    ]);
  });

  it('no protected ports: no empty element list (nft refuses `{ }`)', () => {
    assert.ok(!ownTableScript({ ...table, protected: [] }).includes('protected {  }'));
  });

  it('open re-adds each element so an existing one gets a fresh timeout; IPv6 goes to grants6 in canonical form', () => {
    const s = openScript('portcullis', [
      { address: '192.0.2.7', service: { proto: 'tcp', port: 22 }, timeoutSeconds: 30 },
      { address: '2001:DB8:0:0::1', service: { proto: 'udp', port: 1194 }, timeoutSeconds: 60 },
    ]);
    assert.equal(s, [
      'add element inet portcullis grants4 { 192.0.2.7 . tcp . 22 }',
      'delete element inet portcullis grants4 { 192.0.2.7 . tcp . 22 }',
      'add element inet portcullis grants4 { 192.0.2.7 . tcp . 22 timeout 30s }',
      'add element inet portcullis grants6 { 2001:db8::1 . udp . 1194 }',
      'delete element inet portcullis grants6 { 2001:db8::1 . udp . 1194 }',
      'add element inet portcullis grants6 { 2001:db8::1 . udp . 1194 timeout 60s }',
      '',
    ].join('\n'));
  });

  it('close works whether or not the element is there', () => {
    assert.equal(closeScript('portcullis', [{ address: '192.0.2.7', service: { proto: 'tcp', port: 22 } }]),
      'add element inet portcullis grants4 { 192.0.2.7 . tcp . 22 timeout 1s }\ndelete element inet portcullis grants4 { 192.0.2.7 . tcp . 22 }\n');
    assert.equal(openScript('portcullis', []), '');
  });

  it('refuses anything that is not a literal', () => {
    const bad: Array<() => string> = [
      () => openScript('portcullis', [{ address: '192.0.2.7 }; flush ruleset; {', service: { proto: 'tcp', port: 22 }, timeoutSeconds: 5 }]),
      () => openScript('portcullis', [{ address: '192.0.2.7', service: { proto: 'tcp', port: 0 }, timeoutSeconds: 5 }]),
      () => openScript('portcullis', [{ address: '192.0.2.7', service: { proto: 'sctp' as 'tcp', port: 22 }, timeoutSeconds: 5 }]),
      () => openScript('portcullis', [{ address: '192.0.2.7', service: { proto: 'tcp', port: 22 }, timeoutSeconds: 0 }]),
      () => openScript('bad name', []),
      () => ownTableScript({ ...table, priority: 1.5 }),
      () => dropTableScript('x;y'),
    ];
    for (const f of bad) assert.throws(f, (e: unknown) => e instanceof NftScriptError && e.code === 'NFT_BAD_VALUE');
  });
});
