import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BURST_SCRIPT, burstPrefix, burstSources, countListed, parseBurstClient, summarizeBurst } from './burst.js';
import { deleteElementArgv, GRANTS_SET, nftBenchConfig } from './ruleset.js';

test('the burst prefix is the /22 after the one holding the lab\'s two /24s', () => {
  assert.deepEqual(burstPrefix('10.90.232.1'), { base: '10.90.', third: 236, cidr: '10.90.236.0/22' });
  // The lab's segments are b and b + 1 with b even: 10.5.2.0/24 and 10.5.3.0/24 lie in 10.5.0.0/22.
  assert.equal(burstPrefix('10.5.2.1').cidr, '10.5.4.0/22');
  assert.equal(burstPrefix('10.5.0.1').cidr, '10.5.4.0/22');
  assert.equal(burstPrefix('10.5.248.1').cidr, '10.5.252.0/22');
  assert.throws(() => burstPrefix('192.168.1.1'));
  for (let b = 0; b <= 248; b += 2) {
    const { third } = burstPrefix(`10.7.${b}.1`);
    assert.ok(third % 4 === 0 && third <= 252, `b=${b}`);
    assert.ok(b + 1 < third || b >= third + 4, `b=${b}: the lab's /24s must lie outside ${third}/22`);
  }
});

test('burst sources: n distinct host addresses inside the /22, never its network or broadcast address', () => {
  const prefix = burstPrefix('10.90.232.1');
  const all = burstSources(prefix, 1000);
  assert.equal(all.length, 1000);
  assert.equal(new Set(all).size, 1000);
  assert.equal(all[0], '10.90.236.1');
  assert.equal(all[254], '10.90.236.255');
  assert.equal(all[255], '10.90.237.0');
  assert.equal(all[999], '10.90.239.232');
  for (const ip of all) {
    const [, , c, d] = ip.split('.').map(Number) as [number, number, number, number];
    assert.ok(c >= 236 && c <= 239 && d >= 0 && d <= 255, ip);
    assert.notEqual(ip, '10.90.236.0');
    assert.notEqual(ip, '10.90.239.255');
  }
  assert.deepEqual(burstSources(prefix, 2), ['10.90.236.1', '10.90.236.2']);
  assert.throws(() => burstSources(prefix, 0));
  assert.throws(() => burstSources(prefix, 1001));
});

test('burst stats: opened, time to the last, grants per second, percentiles', () => {
  const all = summarizeBurst({ sources: 4, grantMs: [100, 200, 300, 400] });
  assert.deepEqual(all, { sources: 4, opened: 4, timeToLastMs: 400, perSecond: 10, p50: 200, p90: 400 });
  // 1,000 grants, the last after 250 ms: 4,000 grants/s.
  const many = summarizeBurst({ sources: 1000, grantMs: Array.from({ length: 1000 }, (_, i) => (i + 1) / 4) });
  assert.equal(many.perSecond, 4000);
  assert.equal(many.p50, 125);
  assert.equal(many.p90, 225);
  // Some missing: the rate is of those that opened.
  const some = summarizeBurst({ sources: 1000, grantMs: [50, 500] });
  assert.equal(some.opened, 2);
  assert.equal(some.perSecond, 4);
  const none = summarizeBurst({ sources: 1000, grantMs: [] });
  assert.equal(none.opened, 0);
  assert.equal(none.perSecond, 0);
  assert.ok(Number.isNaN(none.timeToLastMs) && Number.isNaN(none.p50));
});

test('the burst client\'s report is parsed, and a client that sent nothing is an error', () => {
  const r = parseBurstClient('{"firstSynAt":1796110356183.6,"sentAt":1796110356406.7,"connects":3000,"outcomes":{"ECONNREFUSED":3000},"leftOpen":0,"why":"all closed"}\n');
  assert.equal(r.connects, 3000);
  assert.equal(r.outcomes.ECONNREFUSED, 3000);
  assert.ok(Math.abs(r.sentAt - r.firstSynAt - 223.1) < 0.01);
  assert.throws(() => parseBurstClient(''), /no report/);
  assert.throws(() => parseBurstClient('{"firstSynAt":0,"sentAt":1}'), /sent nothing/);
});

test('the burst script is valid JavaScript', () => {
  assert.doesNotThrow(() => new Function('require', BURST_SCRIPT));
});

test('set listings are counted by the burst\'s addresses only', () => {
  const listing = `table inet portcullis {
\tset grants4 {
\t\ttype ipv4_addr . inet_proto . inet_service
\t\tflags timeout
\t\telements = { 10.90.236.1 . tcp . 22 timeout 30s expires 28s, 10.90.236.2 . tcp . 22 timeout 30s expires 28s,
\t\t\t     10.90.232.20 . tcp . 22 timeout 30s expires 20s }
\t}
}`;
  assert.equal(countListed(listing, ['10.90.236.1', '10.90.236.2', '10.90.236.3']), 2);
  assert.equal(countListed('table inet bench {\n\tset allowed {\n\t\ttype ipv4_addr\n\t}\n}', ['10.90.236.1']), 0);
});

test('the nftables door has no command and opens tcp/22; elements are deleted from the right set', () => {
  const conf = nftBenchConfig();
  assert.match(conf, /firewall\s+= nftables/);
  assert.match(conf, /open\s+= tcp\/22/);
  assert.match(conf, /open_timeout\s+= 30/);
  assert.doesNotMatch(conf, /command/);
  assert.deepEqual(deleteElementArgv('10.1.2.3', GRANTS_SET), ['nft', 'delete', 'element', 'inet', 'portcullis', 'grants4', '{ 10.1.2.3 . tcp . 22 }']);
  assert.deepEqual(deleteElementArgv('10.1.2.3'), ['nft', 'delete', 'element', 'inet', 'bench', 'allowed', '{ 10.1.2.3 }']);
});
