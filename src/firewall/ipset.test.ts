// The ipset backend against a recording runner: the exact `ipset restore`
// and iptables-restore scripts, the `ipset save` parser on output captured
// from ipset 7.17, literals refused before anything runs, and a failing tool
// reported, never ignored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FirewallError, type Entry, type Layout, type Service } from './backend.js';
import { RecordingToolRunner, type RecordedCall, type ToolResult } from './tool.js';
import { IpsetBackend, parseIpsetSave } from './ipset.js';
import { parseIpsetBans } from './ipset-bans.js';

const NOW = 1_767_225_600_000;
const SSH = { proto: 'tcp', port: 22 } as const;
const LAYOUT: Layout = { protected: [SSH, { proto: 'udp', port: 1194 }], forwarded: [] };

// Captured with `ipset save portcullis4` / `portcullis6`.
const SAVE4 = `create portcullis4 hash:ip,port family inet hashsize 1024 maxelem 65536 timeout 0 bucketsize 12 initval 0x1050577d
add portcullis4 10.20.0.2,tcp:22 timeout 59
add portcullis4 10.20.0.4,udp:1194 timeout 4
`;
const SAVE6 = `create portcullis6 hash:ip,port family inet6 hashsize 1024 maxelem 65536 timeout 0 bucketsize 12 initval 0x7caf69f7
add portcullis6 2001:db8::7,tcp:22 timeout 119
`;
const OK: ToolResult = { code: 0, stdout: '', stderr: '' };
const NO_SET: ToolResult = { code: 1, stdout: '', stderr: 'ipset v7.17: The set with the given name does not exist\n' };

/** `sets` maps a set name to its `ipset save` output (absent: no such set). */
function firewall(sets: Record<string, string> = {}, respond?: (c: RecordedCall) => ToolResult | undefined) {
  const runner = new RecordingToolRunner();
  runner.respond = (c) => {
    const special = respond?.(c);
    if (special) return special;
    if (c.file === 'ipset' && c.args[0] === 'save') return sets[c.args[1]!] !== undefined ? { ...OK, stdout: sets[c.args[1]!]! } : NO_SET;
    if (c.file === 'ipset' && c.args[0] === 'list') return { ...OK, stdout: Object.keys(sets).map((s) => `${s}\n`).join('') };
    if (c.args.includes('-S')) return c.args.length === 4 ? { ...OK, stdout: '-P INPUT ACCEPT\n' } : { code: 1, stdout: '', stderr: 'iptables: No chain/target/match by that name.' };
    if (c.args.includes('-C')) return { code: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
    return OK;
  };
  const inputs = (file: string, first?: string) => runner.calls.filter((c) => c.file === file && (first === undefined || c.args[0] === first)).map((c) => c.input);
  return { runner, inputs, backend: new IpsetBackend({ runner }) };
}

const entry = (address: string, service: Service = SSH, seconds = 60): Entry =>
  ({ address, family: address.includes(':') ? 6 : 4, service, expiresAt: NOW + seconds * 1000 });

describe('ipset backend', () => {
  it('prepare: both sets with -exist (members kept), then the chain that matches them and the jump', async () => {
    const f = firewall();
    await f.backend.prepare(LAYOUT);
    assert.equal(f.runner.lines()[0], 'ipset restore -exist', 'sets first: the rules name them');
    assert.deepEqual(f.inputs('ipset'), [[
      'create portcullis4 hash:ip,port family inet timeout 0', 'create portcullis6 hash:ip,port family inet6 timeout 0',
      // Kernel bans (ipset-bans.ts).
      'create portcullis_ban4 hash:ip family inet timeout 0 maxelem 65536', 'create portcullis_ban6 hash:ip family inet6 timeout 0 maxelem 65536', '',
    ].join('\n')]);
    assert.deepEqual(f.inputs('ip6tables-restore'), [[
      '*filter',
      ':PORTCULLIS_SET - [0:0]',
      '-A PORTCULLIS_SET -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A PORTCULLIS_SET -p tcp --dport 22 -m set --match-set portcullis_ban6 src -m comment --comment "portcullis banned" -j DROP',
      '-A PORTCULLIS_SET -p udp --dport 1194 -m set --match-set portcullis_ban6 src -m comment --comment "portcullis banned" -j DROP',
      '-A PORTCULLIS_SET -m set --match-set portcullis6 src,dst -j ACCEPT',
      '-A PORTCULLIS_SET -p tcp --dport 22 -m comment --comment "portcullis protected" -j DROP',
      '-A PORTCULLIS_SET -p udp --dport 1194 -m comment --comment "portcullis protected" -j DROP',
      '-I INPUT 1 -m comment --comment portcullis -j PORTCULLIS_SET',
      'COMMIT',
      '',
    ].join('\n')]);
    assert.match(f.inputs('iptables-restore')[0]!, /--match-set portcullis4 src,dst/);
  });

  it('bans: members with timeouts (-exist refreshes), removals, --all flushes; SPA ports are dropped for banned sources too', async () => {
    const f = firewall();
    await f.backend.applyBans([{ address: '10.20.0.2', seconds: 300 }, { address: '2001:DB8::7', seconds: 60 }], ['10.20.0.9']);
    await f.backend.applyBans([], 'all');
    assert.deepEqual(f.inputs('ipset'), [
      'del portcullis_ban4 10.20.0.9\nadd portcullis_ban4 10.20.0.2 timeout 300\nadd portcullis_ban6 2001:db8::7 timeout 60\n',
      'flush portcullis_ban4\nflush portcullis_ban6\n',
    ]);
    await assert.rejects(f.backend.applyBans([{ address: '10.20.0.2 timeout 1\ndestroy', seconds: 1 }], []), FirewallError);
    const g = firewall();
    await g.backend.prepare({ ...LAYOUT, spaPorts: [62201, 1194] });
    assert.match(g.inputs('iptables-restore')[0]!, /-p udp --dport 62201 -m set --match-set portcullis_ban4 src -m comment --comment "portcullis banned" -j DROP/);
    assert.equal(g.inputs('iptables-restore')[0]!.match(/--dport 1194 -m set/g)?.length, 1, 'a port both protected and SPA: one rule');
    assert.deepEqual(parseIpsetBans('create portcullis_ban4 hash:ip family inet\nadd portcullis_ban4 10.0.0.2 timeout 287\nadd portcullis_ban4 10.0.0.3\n', 'portcullis_ban4', NOW),
      [{ address: '10.0.0.2', until: NOW + 287_000 }]);
  });

  it('prepare with the jump there does not insert a second one', async () => {
    const f = firewall({}, (c) => (c.args.includes('-C') ? OK : undefined));
    await f.backend.prepare(LAYOUT);
    assert.doesNotMatch(f.inputs('iptables-restore')[0]!, /-I INPUT/);
  });

  it('open: one ipset restore for any number of entries of both families, timeouts in whole seconds', async () => {
    const f = firewall();
    await f.backend.open([entry('10.20.0.2'), { ...entry('2001:DB8:0::7', { proto: 'udp', port: 1194 }), expiresAt: NOW + 1500 }], NOW);
    assert.deepEqual(f.runner.lines(), ['ipset restore -exist']);
    assert.deepEqual(f.inputs('ipset'), ['add portcullis4 10.20.0.2,tcp:22 timeout 60\nadd portcullis6 2001:db8::7,udp:1194 timeout 2\n']);
  });

  it('close deletes with -exist (a missing member is fine); no entries, no run', async () => {
    const f = firewall();
    await f.backend.close([{ address: '10.20.0.2', family: 4, service: SSH }]);
    await f.backend.close([]);
    await f.backend.open([], NOW);
    assert.deepEqual(f.inputs('ipset'), ['del portcullis4 10.20.0.2,tcp:22\n']);
  });

  it('list: members of both sets with expiresAt = now + the remaining timeout', async () => {
    const got = await firewall({ portcullis4: SAVE4, portcullis6: SAVE6 }).backend.list(NOW);
    assert.deepEqual(got, [
      { address: '10.20.0.2', family: 4, service: SSH, expiresAt: NOW + 59_000 },
      { address: '10.20.0.4', family: 4, service: { proto: 'udp', port: 1194 }, expiresAt: NOW + 4_000 },
      { address: '2001:db8::7', family: 6, service: SSH, expiresAt: NOW + 119_000 },
    ]);
  });

  it('list before prepare: missing sets are no entries; a set that is there but unreadable is an error', async () => {
    assert.deepEqual(await firewall().backend.list(NOW), []);
    const broken = firewall({ portcullis4: SAVE4 }, (c) => (c.args[0] === 'save' ? { code: 1, stdout: '', stderr: 'ipset v7.17: Kernel error received: Operation not permitted' } : undefined));
    await assert.rejects(broken.backend.list(NOW), (err: unknown) => err instanceof FirewallError && /Operation not permitted/.test(err.message));
  });

  it('remove: the jump and chain first, then the sets that are there', async () => {
    const f = firewall({ portcullis4: SAVE4 }, (c) => {
      if (c.args.join(' ') === '-w -t filter -S INPUT') return { ...OK, stdout: '-P INPUT ACCEPT\n-A INPUT -m comment --comment portcullis -j PORTCULLIS_SET\n' };
      if (c.args.join(' ') === '-w -t filter -S PORTCULLIS_SET') return { ...OK, stdout: '-N PORTCULLIS_SET\n' };
      return undefined;
    });
    await f.backend.remove();
    assert.deepEqual(f.inputs('iptables-restore'), ['*filter\n-D INPUT -m comment --comment portcullis -j PORTCULLIS_SET\n-F PORTCULLIS_SET\n-X PORTCULLIS_SET\nCOMMIT\n']);
    assert.deepEqual(f.inputs('ipset', 'restore'), ['destroy portcullis4\n'], 'only the set that exists');
    const lines = f.runner.lines();
    assert.ok(lines.lastIndexOf('iptables-restore -w --noflush') < lines.indexOf('ipset restore -exist'), 'rules go before the sets they reference');
  });

  it('refuses values that would change a line, and forwarding, before running anything', async () => {
    const f = firewall();
    for (const e of [entry('1.2.3.4 timeout 0'), entry('1.2.3.4\nflush portcullis4'), entry('10.0.0.0/8'), entry('1.2.3.4', { proto: 'tcp', port: 0 }), entry('1.2.3.4', { proto: 'tcp', port: 65536 }), entry('1.2.3.4', { proto: 'sctp' as 'tcp', port: 22 }), { ...entry('1.2.3.4'), forward: { host: '10.0.0.2', port: 22 } }]) {
      await assert.rejects(f.backend.open([e], NOW), (err: unknown) => err instanceof FirewallError && err.code === 'FIREWALL_BAD_VALUE', JSON.stringify(e));
    }
    await assert.rejects(f.backend.prepare({ protected: [], forwarded: [{ ...SSH, forward: { host: '10.0.0.2', port: 22 } }] }), FirewallError);
    for (const setName of ['my set', 'a,b', 'x'.repeat(31)]) assert.throws(() => new IpsetBackend({ runner: f.runner, setName }), FirewallError);
    assert.throws(() => new IpsetBackend({ runner: f.runner, chain: 'BAD CHAIN' }), FirewallError);
    assert.deepEqual(f.runner.calls, []);
  });

  it('a failing ipset is a FirewallError carrying its stderr', async () => {
    const f = firewall({}, (c) => (c.file === 'ipset' ? { code: 1, stdout: '', stderr: 'ipset v7.17: Error in line 1: Kernel error received: set type not supported' } : undefined));
    await assert.rejects(f.backend.prepare(LAYOUT), /set type not supported/);
    await assert.rejects(f.backend.open([entry('10.20.0.2')], NOW), (err: unknown) => err instanceof FirewallError && err.code === 'FIREWALL_TOOL_FAILED');
    await assert.rejects(f.backend.close([entry('10.20.0.2')]), FirewallError);
    await assert.rejects(f.backend.list(NOW), FirewallError);
  });

  it('the save parser ignores other sets, other protocols and extras; timeout 0 is no expiry', () => {
    const text = `${SAVE4}add other4 10.0.0.1,tcp:22 timeout 5\nadd portcullis4 10.0.0.2,icmp:8/0 timeout 5\nadd portcullis4 10.0.0.3,tcp:443 packets 3 bytes 180 comment "x y" timeout 7\nadd portcullis4 10.0.0.4,tcp:80 timeout 0\n`;
    assert.deepEqual(parseIpsetSave(text, 'portcullis4', 4, NOW).map((e) => `${e.address} ${e.service.port} ${e.expiresAt === undefined ? '-' : e.expiresAt - NOW}`), [
      '10.20.0.2 22 59000', '10.20.0.4 1194 4000', '10.0.0.3 443 7000', '10.0.0.4 80 -',
    ]);
    assert.deepEqual(parseIpsetSave(SAVE6, 'portcullis6', 4, NOW), [], 'wrong family');
  });
});
