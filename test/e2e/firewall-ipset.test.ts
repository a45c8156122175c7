// The firewall contract on the real ipset (with iptables/ip6tables matching
// the sets) inside a lab namespace, with real packets; then what only this
// backend promises: prepare keeps the set members, the jump is inserted once,
// and remove takes the rules away before the sets (which it then destroys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendContract, LAYOUT, SSH } from '../../src/firewall/contract.js';
import { IpsetBackend } from '../../src/firewall/ipset.js';
import { labFirewallSubject } from './lab/firewall-subject.js';
import { labSkipReason } from './lab.js';

const skip = labSkipReason(['ipset', 'iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore']);

backendContract('ipset', () => labFirewallSubject('fwips', (runner) => new IpsetBackend({ runner })), { skip });

test('ipset backend: sets with kernel timeouts, one jump, the administrator\'s rules kept, nothing left after remove', { skip, timeout: 60_000 }, async (t) => {
  const s = await labFirewallSubject('fwips2', (runner) => new IpsetBackend({ runner }));
  t.after(() => s.cleanup());
  const { lab } = s;
  const rules = async (tool: string) => (await lab.mustExec('server', [tool, '-w', '-S'])).stdout;
  const adminRule = ['-A', 'INPUT', '-p', 'tcp', '--dport', '8080', '-m', 'comment', '--comment', 'admin', '-j', 'REJECT'];
  for (const tool of ['iptables', 'ip6tables']) await lab.mustExec('server', [tool, '-w', ...adminRule]);

  await s.backend.prepare(LAYOUT);
  await s.backend.open([{ address: s.clients.a4, family: 4, service: SSH, expiresAt: Date.now() + 60_000 }], Date.now());
  await s.backend.prepare(LAYOUT);
  await s.backend.prepare(LAYOUT);
  const saved = (await lab.mustExec('server', ['ipset', 'save', 'portcullis4'])).stdout;
  assert.match(saved, /^create portcullis4 hash:ip,port family inet .*timeout 0/m);
  assert.match(saved, new RegExp(`^add portcullis4 ${s.clients.a4.replace(/\./g, '\\.')},tcp:22 timeout (59|60)$`, 'm'), `the member survives prepare\n${saved}`);
  assert.equal(await s.reach!(s.clients.a4, SSH), true);
  for (const tool of ['iptables', 'ip6tables']) {
    const listed = await rules(tool);
    const jumps = listed.split('\n').filter((l) => l.includes('-j PORTCULLIS_SET'));
    assert.deepEqual(jumps, ['-A INPUT -m comment --comment portcullis -j PORTCULLIS_SET'], `${tool}: one jump after three prepares\n${listed}`);
    assert.match(listed, new RegExp(`-A PORTCULLIS_SET -m set --match-set portcullis${tool === 'iptables' ? 4 : 6} src,dst -j ACCEPT`));
    assert.match(listed, /--comment admin -j REJECT/);
  }

  await s.backend.remove();
  const names = (await lab.mustExec('server', ['ipset', 'list', '-n'])).stdout;
  assert.doesNotMatch(names, /portcullis/, 'the sets are destroyed');
  for (const tool of ['iptables', 'ip6tables']) {
    const listed = await rules(tool);
    assert.doesNotMatch(listed, /PORTCULLIS|portcullis/, `${tool}: nothing of Portcullis is left\n${listed}`);
    assert.match(listed, /--comment admin -j REJECT/, `${tool}: the admin rule survives remove`);
  }
  await s.backend.remove(); // idempotent
});
