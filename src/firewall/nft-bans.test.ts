import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FirewallError } from './backend.js';
import { banCommand, parseBanListing, rateText } from './nft-bans.js';
import { prepareScript, removeScript, type NftTarget } from './nft-script.js';

const own: NftTarget = { family: 'inet', table: 'portcullis', integrated: false };
const filter: NftTarget = { family: 'inet', table: 'filter', integrated: true };
const layout = { priority: -10, protected: [{ proto: 'tcp', port: 22 }], forwarded: [], spaPorts: [62201, 62202, 62201] } as const;
const rate = { perSecond: 20, burst: 40 };

describe('nftables bans', () => {
  it('own table: bounded timeout ban sets, the SPA ports, drop rules and the rate limit after the established accept', () => {
    const s = prepareScript(own, { ...layout, spaRateLimit: rate });
    const lines = s.trim().split('\n');
    for (const l of [
      'add set inet portcullis banned4 { type ipv4_addr; flags timeout; size 65536; }',
      'add set inet portcullis banned6 { type ipv6_addr; flags timeout; size 65536; }',
      'add set inet portcullis spa_rate4 { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 65536; }',
      'add set inet portcullis spa_rate6 { type ipv6_addr; flags dynamic,timeout; timeout 60s; size 65536; }',
      'add element inet portcullis spa_ports { 62201, 62202 }',
    ]) assert.ok(lines.includes(l), `${l}\n${s}`);
    const input = lines.filter((l) => l.startsWith('add rule inet portcullis input')).map((l) => l.slice('add rule inet portcullis input '.length));
    assert.deepEqual(input.slice(0, 7), [
      'ct state established,related accept',
      'ip saddr @banned4 meta l4proto . th dport @protected counter drop',
      'ip6 saddr @banned6 meta l4proto . th dport @protected counter drop',
      'ip saddr @banned4 udp dport @spa_ports counter drop',
      'ip6 saddr @banned6 udp dport @spa_ports counter drop',
      'udp dport @spa_ports update @spa_rate4 { ip saddr limit rate over 20/second burst 40 packets } counter drop',
      'udp dport @spa_ports update @spa_rate6 { ip6 saddr limit rate over 20/second burst 40 packets } counter drop',
    ]);
    const forward = lines.filter((l) => l.startsWith('add rule inet portcullis forward'));
    assert.equal(forward[1], 'add rule inet portcullis forward ip saddr @banned4 ip daddr . meta l4proto . th dport @fwdprotected4 counter drop');
    assert.ok(!/flush set inet portcullis (banned|spa_rate)/.test(s), 'bans must survive a restart');
  });

  it('rate limit off: no rate sets, no rate rules', () => {
    const s = prepareScript(own, { ...layout, spaRateLimit: 'off' });
    assert.ok(!s.includes('spa_rate'), s);
    assert.ok(!prepareScript(own, { ...layout, spaPorts: [] }).includes('{  }'), 'no empty element list');
  });

  it('integrated: only the prefixed sets, removed with the grant sets', () => {
    const s = prepareScript(filter, { ...layout, protected: [], spaRateLimit: rate });
    assert.ok(s.includes('add set inet filter portcullis_banned4 { type ipv4_addr; flags timeout; size 65536; }'), s);
    assert.ok(s.includes('add set inet filter portcullis_spa_rate6 { type ipv6_addr; flags dynamic,timeout; timeout 60s; size 65536; }'), s);
    assert.ok(!/add (rule|chain)|spa_ports/.test(s), s);
    assert.match(removeScript(filter), /delete set inet filter portcullis_banned6\ndelete set inet filter portcullis_spa_rate6\n$/);
    assert.ok(!removeScript(own).includes('banned'), 'the own table goes whole');
  });

  it('ban elements: added with a fresh timeout, removed without failing on a missing one, --all flushes', () => {
    assert.equal(banCommand(own, [{ address: '192.0.2.7', seconds: 300 }], ['2001:DB8::1']), [
      'add element inet portcullis banned6 { 2001:db8::1 timeout 1s }',
      'delete element inet portcullis banned6 { 2001:db8::1 }',
      'add element inet portcullis banned4 { 192.0.2.7 timeout 1s }',
      'delete element inet portcullis banned4 { 192.0.2.7 }',
      'add element inet portcullis banned4 { 192.0.2.7 timeout 300s }',
    ].join('; '));
    assert.equal(banCommand(own, [], 'all'), 'flush set inet portcullis banned4; flush set inet portcullis banned6');
    assert.equal(banCommand({ family: 'ip', table: 'f', integrated: true }, [], 'all'), 'flush set ip f portcullis_banned4');
  });

  it('refuses what is not a literal (injection) and values nft would misread', () => {
    for (const a of ['192.0.2.7 }; flush ruleset', '192.0.2.0/24', 'x']) assert.throws(() => banCommand(own, [{ address: a, seconds: 1 }], []), FirewallError, a);
    assert.throws(() => banCommand(own, [{ address: '192.0.2.7', seconds: 0 }], []), FirewallError);
    assert.throws(() => banCommand({ family: 'ip6', table: 'f', integrated: true }, [{ address: '192.0.2.7', seconds: 5 }], []), FirewallError);
    assert.throws(() => rateText({ perSecond: 0, burst: 1 }), FirewallError);
    assert.throws(() => prepareScript(own, { ...layout, spaPorts: [0] }), FirewallError);
  });

  it('reads ban elements with their expiry back from nft -j, ignoring other sets and elements without a timeout', () => {
    const json = JSON.stringify({ nftables: [
      { metainfo: { version: '1.0.6' } },
      { set: { family: 'inet', name: 'banned4', table: 'portcullis', type: 'ipv4_addr', elem: [{ elem: { val: '10.0.0.2', timeout: 300, expires: 287 } }, '10.0.0.9'] } },
      { set: { family: 'inet', name: 'banned6', table: 'portcullis', type: 'ipv6_addr', elem: [{ elem: { val: '2001:DB8::5', timeout: 60, expires: 5 } }] } },
      { set: { family: 'inet', name: 'grants4', table: 'portcullis', elem: [{ elem: { val: '10.0.0.3', expires: 5 } }] } },
    ] });
    assert.deepEqual(parseBanListing(json, own, 1_000_000), [
      { address: '10.0.0.2', until: 1_287_000 },
      { address: '2001:db8::5', until: 1_005_000 },
    ]);
    assert.throws(() => parseBanListing('nope', own, 0), FirewallError);
  });
});
