// The backend contract on the real nft, own table and integrated deployment,
// plus what only the long-lived channel has: nft killed under it recovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendContract, LAYOUT, SSH } from '../../src/firewall/contract.js';
import { NftablesBackend } from '../../src/firewall/nftables.js';
import { labSkipReason } from './lab.js';
import { labFirewallSubject } from './lab/firewall-subject.js';

const skip = labSkipReason(['nft']);

backendContract('nftables (own table)', () => labFirewallSubject('fwnft', (runner) => new NftablesBackend({ runner })), { skip });

backendContract('nftables (integrated into inet filter)', async () => {
  const target = { family: 'inet', table: 'filter', integrated: true } as const;
  const s = await labFirewallSubject('fwnfti', (runner) => new NftablesBackend({ runner, target }));
  // The administrator's table, with the one documented rule referencing our sets.
  await s.lab.nftSetup('server', [
    'table inet filter {',
    '  set portcullis_grants4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }',
    '  set portcullis_grants6 { type ipv6_addr . inet_proto . inet_service; flags timeout; }',
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
    '    ct state established,related accept',
    '    ip saddr . meta l4proto . th dport @portcullis_grants4 accept',
    '    ip6 saddr . meta l4proto . th dport @portcullis_grants6 accept',
    '    tcp dport 22 drop',
    '  }',
    '}',
  ].join('\n'));
  return s;
}, { skip });

test('nftables: the long-lived nft is restarted after it is killed, and grants keep working', { skip, timeout: 60_000 }, async (t) => {
  const s = await labFirewallSubject('fwnftk', (runner) => new NftablesBackend({ runner }));
  t.after(() => s.cleanup());
  const fw = s.backend as NftablesBackend;
  await fw.prepare(LAYOUT);
  const entry = (address: string) => ({ address, family: 4 as const, service: SSH, expiresAt: Date.now() + 60_000 });
  await fw.open([entry(s.clients.a4)], Date.now());
  assert.equal(fw.channelStarts, 1);
  assert.equal(s.runner.killChildren(), 1, 'one long-lived nft');
  // The batch in flight when nft died may fail; the next one restarts it.
  let opened = false;
  for (let i = 0; i < 3 && !opened; i++) {
    opened = await fw.open([entry(s.clients.b4)], Date.now()).then(() => true, () => false);
  }
  assert.ok(opened, 'open works again after nft was killed');
  assert.equal(fw.channelStarts, 2);
  assert.ok(await s.reach!(s.clients.b4, SSH));
  assert.ok(await s.reach!(s.clients.a4, SSH), 'the earlier grant is kernel state, untouched by the restart');
});

test('nftables: a refused batch fails with nft\'s reason and the next batch still works', { skip, timeout: 60_000 }, async (t) => {
  const s = await labFirewallSubject('fwnftr', (runner) => new NftablesBackend({ runner }));
  t.after(() => s.cleanup());
  const fw = s.backend;
  // Not prepared: the table does not exist, so nft refuses.
  await assert.rejects(fw.open([{ address: s.clients.a4, family: 4, service: SSH, expiresAt: Date.now() + 60_000 }], Date.now()), /nft refused the change|No such file/);
  await fw.prepare(LAYOUT);
  await fw.open([{ address: s.clients.a4, family: 4, service: SSH, expiresAt: Date.now() + 60_000 }], Date.now());
  assert.equal((await fw.list(Date.now())).length, 1);
});
