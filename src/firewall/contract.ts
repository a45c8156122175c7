// The one contract every firewall backend keeps: open, extend, close, list,
// survive a restart (reconcile needs list), IPv4 and IPv6, idempotency, and a
// failing tool reported as a FirewallError, never as success. Unit tests run it
// against the in-memory double; end-to-end tests run it against each real tool
// inside a namespace, where `reach` also checks real packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirewallError, entryKeyText, type Entry, type EntryKey, type FirewallBackend, type InstalledEntry, type Layout, type Service } from './backend.js';

export interface ContractSubject {
  readonly backend: FirewallBackend;
  /** A fresh backend on the same firewall, as the daemon would build after a restart. */
  restart(): Promise<FirewallBackend>;
  /** Makes the firewall program fail (or work again). */
  setFailing(failing: boolean): void;
  /** Three client addresses: two IPv4, one IPv6. */
  readonly clients: { readonly a4: string; readonly b4: string; readonly a6: string };
  readonly now: () => number;
  /** Lets time pass (real or virtual). */
  sleep(ms: number): Promise<void>;
  /** Real packets: does `address` get through to `service` now? */
  reach?(address: string, service: Service): Promise<boolean>;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** Skip reason, as for node:test (the real tools need root and a namespace). */
  readonly skip?: string | false;
  readonly timeout?: number;
}

export const SSH: Service = { proto: 'tcp', port: 22 };
export const VPN: Service = { proto: 'udp', port: 1194 };
export const LAYOUT: Layout = { protected: [SSH, VPN], forwarded: [] };

function keys(list: readonly InstalledEntry[]): string[] {
  return list.map(entryKeyText).sort();
}

export function backendContract(name: string, make: () => Promise<ContractSubject>, options: ContractOptions = {}): void {
  test(`firewall backend contract: ${name}`, { skip: options.skip ?? false, timeout: options.timeout ?? 120_000 }, async (t) => {
    const s = await make();
    t.after(() => s.cleanup());
    const fw = s.backend;
    const entry = (address: string, service: Service, seconds: number): Entry =>
      ({ address, family: address.includes(':') ? 6 : 4, service, expiresAt: s.now() + seconds * 1000 });
    const key = (e: Entry): EntryKey => ({ address: e.address, family: e.family, service: e.service });

    await t.test('prepare is idempotent and starts with no entries', async () => {
      await fw.prepare(LAYOUT);
      await fw.prepare(LAYOUT);
      assert.deepEqual(await fw.list(s.now()), []);
      if (s.reach) assert.equal(await s.reach(s.clients.a4, SSH), false, 'a protected port is closed without an entry');
    });

    const a4ssh = entry(s.clients.a4, SSH, 60);
    const a6ssh = entry(s.clients.a6, SSH, 60);
    const a4vpn = entry(s.clients.a4, VPN, 60);
    await t.test('open installs IPv4 and IPv6 entries, for their address only', async () => {
      await fw.open([a4ssh, a6ssh, a4vpn], s.now());
      assert.deepEqual(keys(await fw.list(s.now())), keys([a4ssh, a6ssh, a4vpn]));
      if (s.reach) {
        assert.equal(await s.reach(s.clients.a4, SSH), true, 'IPv4 entry lets its address in');
        assert.equal(await s.reach(s.clients.a6, SSH), true, 'IPv6 entry lets its address in');
        assert.equal(await s.reach(s.clients.b4, SSH), false, 'another address stays out');
      }
    });

    await t.test('opening again extends, never duplicates', async () => {
      const before = (await fw.list(s.now())).find((e) => entryKeyText(e) === entryKeyText(a4ssh));
      const longer = { ...a4ssh, expiresAt: s.now() + 600_000 };
      await fw.open([longer], s.now());
      await fw.open([longer], s.now());
      const after = await fw.list(s.now());
      assert.deepEqual(keys(after), keys([a4ssh, a6ssh, a4vpn]), 'still one entry each');
      const extended = after.find((e) => entryKeyText(e) === entryKeyText(a4ssh));
      if (before?.expiresAt !== undefined && extended?.expiresAt !== undefined) {
        assert.ok(extended.expiresAt > before.expiresAt + 100_000, `expiry moved out (${before.expiresAt} -> ${extended.expiresAt})`);
      }
    });

    await t.test('close removes only what it names; closing a missing entry succeeds', async () => {
      await fw.close([key(a4vpn)]);
      await fw.close([key(a4vpn), { address: s.clients.b4, family: 4, service: SSH }]);
      assert.deepEqual(keys(await fw.list(s.now())), keys([a4ssh, a6ssh]));
    });

    await t.test('entries survive a restart: a new backend lists them, and prepare keeps them', async () => {
      const again = await s.restart();
      await again.prepare(LAYOUT);
      assert.deepEqual(keys(await again.list(s.now())), keys([a4ssh, a6ssh]));
      if (s.reach) assert.equal(await s.reach(s.clients.a4, SSH), true, 'still open after prepare');
      await again.dispose();
    });

    await t.test('a failing tool is reported as FirewallError, and the backend recovers', async () => {
      s.setFailing(true);
      try {
        await assert.rejects(fw.open([entry(s.clients.b4, SSH, 60)], s.now()), FirewallError);
        await assert.rejects(fw.close([key(a4ssh)]), FirewallError);
        await assert.rejects(fw.list(s.now()), FirewallError);
      } finally {
        s.setFailing(false);
      }
      await fw.open([entry(s.clients.b4, SSH, 60)], s.now());
      assert.deepEqual(keys(await fw.list(s.now())), keys([a4ssh, a6ssh, entry(s.clients.b4, SSH, 60)]));
      await fw.close([{ address: s.clients.b4, family: 4, service: SSH }]);
    });

    if (fw.kernelExpiry) {
      await t.test('the firewall stops an entry at its expiry by itself', async () => {
        const short = entry(s.clients.b4, SSH, 3);
        await fw.open([short], s.now());
        if (s.reach) assert.equal(await s.reach(s.clients.b4, SSH), true, 'open before its expiry');
        await s.sleep(4200);
        const live = (await fw.list(s.now())).filter((e) => e.expiresAt === undefined || e.expiresAt > s.now());
        assert.ok(!keys(live).includes(entryKeyText(short)), 'expired entry is gone or reported expired');
        if (s.reach) assert.equal(await s.reach(s.clients.b4, SSH), false, 'expired entry no longer lets packets in');
        await fw.close([key(short)]);
      });
    }

    await t.test('remove takes away everything the backend created', async () => {
      await fw.close([key(a4ssh), key(a6ssh)]);
      assert.deepEqual(await fw.list(s.now()), []);
      await fw.remove();
      await fw.remove();
    });
    await fw.dispose();
  });
}
