// iptables-save text → rules: the options ufw, Docker and Portcullis's own
// backends write (captured from iptables-nft 1.8.9), negation, and targets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIptablesSave } from './from-iptables.js';
import * as ufw from './fixtures/ufw.js';
import * as docker from './fixtures/docker.js';
import * as ipsetBackend from './fixtures/ipset-backend.js';

describe('parseIptablesSave', () => {
  it('puts the built-in chains on their hooks and priorities, with their policies', () => {
    const [filter] = parseIptablesSave(ufw.iptablesSave4, 4, 'iptables-nft');
    assert.equal(filter!.name, 'filter');
    assert.equal(filter!.family, 'ip');
    assert.deepEqual(filter!.chains.get('INPUT')!.base, { hook: 'input', type: 'filter', priority: 0, policy: 'drop' });
    assert.equal(filter!.chains.get('ufw-user-input')!.base, undefined);
    const nat = parseIptablesSave(docker.iptablesSave4, 4, 'iptables-nft').find((t) => t.name === 'nat')!;
    assert.deepEqual(nat.chains.get('PREROUTING')!.base, { hook: 'prerouting', type: 'nat', priority: -100, policy: 'accept' });
  });

  it('reads conntrack states, ports, interfaces and jumps into user chains', () => {
    const [filter] = parseIptablesSave(ufw.iptablesSave4, 4, 'iptables-nft');
    const before = filter!.chains.get('ufw-before-input')!.rules;
    assert.deepEqual(before[1]!.conds, [{ kind: 'match', fields: [{ f: 'ctstate' }], values: [['related'], ['established']], negate: false }]);
    assert.deepEqual(before[1]!.verdict, { kind: 'accept' });
    assert.deepEqual(before[0]!.conds, [{ kind: 'match', fields: [{ f: 'iif' }], values: [['lo']], negate: false }]);
    assert.deepEqual(filter!.chains.get('INPUT')!.rules[0]!.verdict, { kind: 'jump', target: 'ufw-before-logging-input' });
    const user = filter!.chains.get('ufw-user-input')!.rules[0]!;
    assert.deepEqual(user.conds.filter((c) => c.kind === 'match').map((c) => c.kind === 'match' && c.values), [[['tcp']], [[80]]]);
  });

  it('LOG and other target extensions do not decide; REJECT and DNAT do', () => {
    const [filter] = parseIptablesSave(ufw.iptablesSave4, 4, 'iptables-nft');
    assert.deepEqual(filter!.chains.get('ufw-after-logging-input')!.rules[0]!.verdict, { kind: 'continue' });
    assert.deepEqual(filter!.chains.get('ufw-user-limit')!.rules[1]!.verdict, { kind: 'reject' });
    const nat = parseIptablesSave(docker.iptablesSave4, 4, 'iptables-nft').find((t) => t.name === 'nat')!;
    const dnat = nat.chains.get('DOCKER')!.rules[1]!;
    assert.deepEqual(dnat.verdict, { kind: 'nat' });
    assert.deepEqual(dnat.conds[0], { kind: 'match', fields: [{ f: 'iif' }], values: [['docker0']], negate: true }, '`! -i docker0`');
  });

  it('addrtype LOCAL becomes a fib type match; an ipset match keeps its set name', () => {
    const nat = parseIptablesSave(docker.iptablesSave4, 4, 'iptables-nft').find((t) => t.name === 'nat')!;
    assert.deepEqual(nat.chains.get('PREROUTING')!.rules[0]!.conds, [{ kind: 'match', fields: [{ f: 'fibtype' }], values: [['local']], negate: false }]);
    const [filter] = parseIptablesSave(ipsetBackend.iptablesSave4, 4, 'iptables-nft');
    assert.deepEqual(filter!.chains.get('PORTCULLIS_SET')!.rules[1]!.conds, [
      { kind: 'match', fields: [{ f: 'saddr' }, { f: 'port', dir: 'dport', proto: 'th' }], values: { set: 'portcullis4' }, negate: false },
    ]);
  });

  it('multiport lists and ranges, sources, and unknown matches', () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8,192.0.2.1 -p tcp -m multiport --dports 22,8000:8100 -m recent --rcheck -j DROP\nCOMMIT\n';
    const rule = parseIptablesSave(text, 4, 'iptables-legacy')[0]!.chains.get('INPUT')!.rules[0]!;
    assert.deepEqual(rule.conds, [
      { kind: 'match', fields: [{ f: 'saddr' }], values: [[{ prefix: { addr: '10.0.0.0', len: 8 } }], [{ prefix: { addr: '192.0.2.1', len: 32 } }]], negate: false },
      { kind: 'match', fields: [{ f: 'l4proto' }], values: [['tcp']], negate: false },
      { kind: 'match', fields: [{ f: 'port', dir: 'dport', proto: 'tcp' }], values: [[22], [{ range: [8000, 8100] }]], negate: false },
      { kind: 'l4', protos: ['tcp'] },
      { kind: 'unknown', text: '-m recent' },
      { kind: 'unknown', text: '--rcheck' },
    ]);
    assert.deepEqual(rule.verdict, { kind: 'drop' });
  });
});
