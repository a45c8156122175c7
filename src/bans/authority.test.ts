import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr } from '../config/cidr.js';
import { BanAuthority, type BanChange, type BanOptions, type KernelBans } from './authority.js';

const base: BanOptions = { failureLimit: 3, failureWindowMs: 60_000, banMs: 300_000, maxTrackedSources: 16 };

function authority(o: Partial<BanOptions> = {}) {
  const changes: BanChange[] = [];
  const kernel: string[] = [];
  const k: KernelBans = { add: (a, s) => kernel.push(`+${a} ${s}s`), remove: (a) => kernel.push(`-${a ?? 'all'}`) };
  const bans = new BanAuthority({ ...base, ...o }, (c) => changes.push(c));
  return { bans, changes, kernel, k };
}

describe('BanAuthority', () => {
  it('FailureLimit failures within the window ban; the ban ends at BanTime; knock and SPA failures add up', () => {
    const { bans, changes } = authority();
    assert.equal(bans.fail('192.0.2.7', 'wrong-knock', 1000), undefined);
    assert.equal(bans.fail('192.0.2.7', 'decoy', 2000), undefined);
    const ban = bans.fail('192.0.2.7', 'spa', 3000);
    assert.deepEqual(ban, { address: '192.0.2.7', reason: 'spa', failures: 3, until: 303_000 });
    assert.equal(bans.isBanned('192.0.2.7', 302_999), true);
    assert.equal(bans.isBanned('192.0.2.8', 3000), false);
    assert.deepEqual(changes, [{ kind: 'ban', ban }]);
    assert.equal(bans.isBanned('192.0.2.7', 303_000), false, 'over by itself');
    assert.deepEqual(bans.counts(), { total: 1, active: 0, lifted: 0, expired: 1, exempted: 0, failing: 0, evictions: 0 });
  });

  it('failures older than the window do not count', () => {
    const { bans } = authority();
    bans.fail('192.0.2.7', 'spa', 0);
    bans.fail('192.0.2.7', 'spa', 1000);
    assert.equal(bans.fail('192.0.2.7', 'spa', 61_000), undefined, 'the window restarted');
    assert.equal(bans.isBanned('192.0.2.7', 61_000), false);
  });

  it('BanExempt sources are never counted nor banned; other sources are', () => {
    const { bans } = authority({ banExempt: [parseCidr('10.0.0.0/8'), parseCidr('2001:db8::/32')] });
    for (let i = 0; i < 10; i++) {
      assert.equal(bans.fail('10.1.2.3', 'decoy', i), undefined);
      assert.equal(bans.fail('2001:db8::9', 'spa', i), undefined);
    }
    assert.equal(bans.isBanned('10.1.2.3', 10), false);
    assert.equal(bans.counts().exempted, 20);
    assert.equal(bans.counts().failing, 0, 'not even tracked');
    for (let i = 0; i < 3; i++) bans.fail('11.0.0.1', 'decoy', i);
    assert.equal(bans.isBanned('11.0.0.1', 10), true);
  });

  it('a reload that exempts a banned source lifts its ban', () => {
    const { bans, changes } = authority();
    for (let i = 0; i < 3; i++) bans.fail('10.0.0.5', 'decoy', i);
    bans.reconfigure({ ...base, banExempt: [parseCidr('10.0.0.0/24')] }, 10);
    assert.equal(bans.isBanned('10.0.0.5', 10), false);
    assert.deepEqual(changes.at(-1), { kind: 'unban', address: '10.0.0.5', count: 1, by: 'reload' });
  });

  it('unban lifts one ban (and forgets its failures), --all lifts every ban; each goes to the kernel', () => {
    const { bans, changes, kernel, k } = authority();
    bans.attachKernel(k, 0);
    for (const a of ['192.0.2.1', '192.0.2.2', '2001:db8::3']) for (let i = 0; i < 3; i++) bans.fail(a, 'wrong-knock', 1000);
    bans.fail('192.0.2.9', 'wrong-knock', 1000);
    assert.deepEqual(kernel, ['+192.0.2.1 300s', '+192.0.2.2 300s', '+2001:db8::3 300s']);
    assert.equal(bans.unban('192.0.2.1', 2000), 1);
    assert.equal(bans.isBanned('192.0.2.1', 2000), false);
    assert.equal(bans.fail('192.0.2.1', 'wrong-knock', 2000), undefined, 'failures forgotten: one failure is not a ban');
    assert.equal(bans.unban('192.0.2.1', 2000), 0, 'not banned any more');
    assert.equal(bans.unban(undefined, 2000), 2);
    assert.equal(bans.list(2000).length, 0);
    assert.equal(bans.fail('192.0.2.9', 'wrong-knock', 2000), undefined, '--all forgets failures too');
    assert.deepEqual(kernel.slice(3), ['-192.0.2.1', '-192.0.2.1', '-all']);
    assert.deepEqual(changes.filter((c) => c.kind === 'unban').map((c) => c.kind === 'unban' && c.count), [1, 0, 2]);
    assert.equal(bans.counts().lifted, 3);
  });

  it('bans made before the kernel is attached are sent when it is; bans of an earlier run are restored', () => {
    const { bans, kernel, k } = authority({ banExempt: [parseCidr('10.0.0.0/8')] });
    for (let i = 0; i < 3; i++) bans.fail('192.0.2.1', 'decoy', 0);
    const restored = bans.restore([
      { address: '192.0.2.5', until: 50_000 }, { address: '192.0.2.6', until: 500 }, { address: '10.0.0.1', until: 50_000 }, { address: '192.0.2.1', until: 9e9 },
    ], 1000);
    assert.equal(restored, 1, 'expired, exempt and already banned ones are not restored');
    assert.deepEqual(bans.list(1000).map((b) => [b.address, b.reason, b.failures]), [['192.0.2.5', 'restored', 0], ['192.0.2.1', 'decoy', 3]]);
    bans.attachKernel(k, 10_000);
    assert.deepEqual(kernel.sort(), ['+192.0.2.1 290s', '+192.0.2.5 40s']);
  });

  it('BanTime = 0 turns banning off', () => {
    const { bans } = authority({ banMs: 0 });
    for (let i = 0; i < 10; i++) assert.equal(bans.fail('192.0.2.1', 'decoy', i), undefined);
  });

  it('the tables stay bounded under a flood of distinct failing sources: the oldest go first', () => {
    const { bans } = authority({ failureLimit: 1, maxTrackedSources: 8 });
    for (let i = 0; i < 100; i++) bans.fail(`198.51.100.${i}`, 'decoy', i);
    const c = bans.counts();
    assert.equal(c.active, 8);
    assert.equal(c.total, 100);
    assert.ok(c.evictions >= 92);
    assert.deepEqual(bans.list(100).map((b) => b.address), Array.from({ length: 8 }, (_, i) => `198.51.100.${92 + i}`));
  });
});
