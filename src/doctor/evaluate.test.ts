// The packet walk on an administrator's table using most of nft (captured
// from nft 1.0.6: vmaps, named/anonymous/concatenated sets, ranges, jump and
// goto, negation, NAT), and the hook semantics across tables.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hookPath, pathVerdict, type Context, type Probe } from './evaluate.js';
import { parseNftRuleset } from './from-nft.js';
import type { Ruleset } from './rules.js';
import * as kitchen from './fixtures/kitchen-sink.js';
import * as ownAccepts from './fixtures/own-admin-accepts.js';

const NONE: Context = { isGrantSet: () => false, isOwnChain: () => false };
const rs: Ruleset = { tables: parseNftRuleset(kitchen.json) };

function probe(port: number, over: Partial<Probe> = {}): Probe {
  return { family: 4, proto: 'tcp', port, ct: 'new', granted: false, iface: 'eth0', daddrs: ['198.51.100.1', '2001:db8::1'], ...over };
}

/** The verdict of the kitchen-sink table's input chain (the NAT chain is looked at separately). */
function input(p: Probe): { summary: string; text?: string } {
  const r = hookPath(rs, p, NONE).find((x) => x.chain.name === 'input')!;
  return { summary: r.summary, ...(r.outcomes[0]?.rule && { text: r.outcomes[0].rule.text }) };
}

describe('one chain, rule by rule', () => {
  it('a vmap on ct state accepts established packets, whatever the port', () => {
    assert.equal(input(probe(4444, { ct: 'established' })).summary, 'accept');
  });

  it('a named interval set and an anonymous set of ports accept', () => {
    assert.deepEqual(input(probe(8050)), { summary: 'accept', text: 'tcp dport @allowed_ports accept' });
    assert.equal(input(probe(587)).summary, 'accept');
  });

  it('a concatenated set (meta l4proto . th dport) matches protocol and port together', () => {
    assert.equal(input(probe(1194, { proto: 'udp' })).summary, 'accept');
    assert.equal(input(probe(1194)).summary, 'drop', 'tcp/1194 is not in it');
  });

  it('a named verdict map (vmap @portmap) decides by its entries', () => {
    assert.deepEqual(input(probe(2200)), { summary: 'accept', text: 'tcp dport vmap @portmap' });
    assert.deepEqual(input(probe(2300)), { summary: 'drop', text: 'tcp dport vmap @portmap' });
  });

  it('a th dport range rejects (reject counts as drop)', () => {
    assert.deepEqual(input(probe(1500)), { summary: 'drop', text: 'th dport 1000-2000 reject with icmpx admin-prohibited' });
  });

  it('a source allowlist is not "every source": it neither accepts nor (negated) spares the port', () => {
    // ssh: vmap → jump ssh → `ip saddr 10.0.0.0/8 accept` does not match → return → policy drop.
    assert.deepEqual(input(probe(22)), { summary: 'drop' });
    assert.equal(input(probe(5900)).text, 'ip saddr != 10.0.0.0/8 tcp dport 5900 drop');
  });

  it('ip-only matches do not apply to IPv6 packets in an inet table', () => {
    assert.deepEqual(input(probe(5900, { family: 6 })), { summary: 'drop' }, 'policy, not the ip saddr rule');
  });

  it('a client never sends from a DHCP server port: `udp sport 67 goto dhcp` does not match', () => {
    assert.deepEqual(input(probe(67, { proto: 'udp' })), { summary: 'drop' });
  });

  it('an interface outside `iifname != "eth*"` is dropped; eth0 is not', () => {
    assert.deepEqual(input(probe(8050, { iface: 'wg0' })), { summary: 'drop', text: 'iifname != "eth*" drop' });
  });

  it('a condition doctor cannot evaluate (meta mark) makes the result depend on it', () => {
    const r = hookPath(rs, probe(7777), NONE).find((x) => x.chain.name === 'input')!;
    assert.equal(r.summary, 'depends');
    assert.deepEqual(r.outcomes.flatMap((o) => o.assumed.map((a) => a.text)), ['meta mark 1 tcp dport 7777 accept', 'meta mark 1 tcp dport 7777 accept']);
  });
});

describe('the hook path', () => {
  it('a DNAT in prerouting sends the packet elsewhere before input', () => {
    assert.equal(pathVerdict(hookPath(rs, probe(8080), NONE)), 'nat');
    assert.equal(pathVerdict(hookPath(rs, probe(8080, { family: 6 }), NONE)), 'accept', 'the ip nat table sees no IPv6');
  });

  it('NAT chains see only first packets', () => {
    assert.ok(hookPath(rs, probe(8080, { ct: 'established' }), NONE).every((r) => r.chain.base!.type !== 'nat'));
  });

  it('base chains run in priority order, and a drop in any of them wins over an accept in another', () => {
    const own = { tables: parseNftRuleset(ownAccepts.json) };
    const path = hookPath(own, probe(22), NONE);
    assert.deepEqual(path.filter((r) => r.chain.base!.hook === 'input').map((r) => `${r.table.name} ${r.chain.name} ${r.summary}`), [
      'portcullis input drop', // priority -10
      'filter input accept', // priority 0: `tcp dport 22 accept` ends only this chain
    ]);
    assert.equal(pathVerdict(path), 'drop');
  });

  it("a granted source: the grant set matches, and Portcullis's own chain accepts", () => {
    const own = { tables: parseNftRuleset(ownAccepts.json) };
    const ctx: Context = { isGrantSet: (t, s) => t.name === 'portcullis' && s === 'grants4', isOwnChain: () => false };
    const path = hookPath(own, probe(22, { granted: true }), ctx);
    assert.equal(path.find((r) => r.table.name === 'portcullis' && r.chain.name === 'input')!.summary, 'accept');
    assert.equal(pathVerdict(path), 'accept');
  });
});
