// The ban authority inside the whole daemon, on the in-memory doubles: knock
// and SPA failures ban one shared list, a banned source is ignored by both,
// BanExempt, the kernel ban store (a recording double), status and unban
// through the control handler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandGrants } from '../actions/grants.js';
import { RecordingRunner } from '../actions/recording-runner.js';
import { MemoryCaptureSource } from '../capture/memory.js';
import { parseCidr } from '../config/cidr.js';
import type { Door, Options } from '../config/model.js';
import { formatStatus } from '../control/status-format.js';
import { daemonControlHandler } from '../daemon/control-handler.js';
import { Daemon } from '../daemon/daemon.js';
import { StaticHostView } from '../daemon/host.js';
import { oneTimeAdvancer } from '../daemon/one-time.js';
import { filterForHost } from '../daemon/capture-filter.js';
import { door, options, SERVER, tcp } from '../door/testing.js';
import { MemoryBackend, MemoryFirewall } from '../firewall/memory.js';
import { CombinedActions } from '../grants/door-actions.js';
import { FirewallGrants } from '../grants/firewall-grants.js';
import { MemoryLogger } from '../log/memory-logger.js';
import type { Packet } from '../packet/packet.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { ManualClock } from '../util/clock.js';
import { ReplayStore } from '../spa-server/replay-cache.js';
import { MemorySpaSockets } from '../spa-server/sockets.js';
import { spaPacket, spaTestDoor } from '../spa-server/testing.js';
import type { BanStore } from './kernel-queue.js';

const CLIENT = '192.0.2.10';
const OTHER = '192.0.2.20';
const WRONG_HMAC = new Uint8Array(64).fill(7);

class KernelDouble implements BanStore {
  readonly elements = new Map<string, number>();
  constructor(private readonly clock: ManualClock, initial: { address: string; until: number }[] = []) {
    for (const b of initial) this.elements.set(b.address, b.until);
  }
  async applyBans(add: readonly { address: string; seconds: number }[], remove: readonly string[] | 'all') {
    if (remove === 'all') this.elements.clear();
    else for (const a of remove) this.elements.delete(a);
    for (const a of add) this.elements.set(a.address, this.clock.now() + a.seconds * 1000);
  }
  async listBans() {
    return [...this.elements].map(([address, until]) => ({ address, until }));
  }
}

function scene(doors: Door[], opts: Partial<Options> = {}, kernelBans: { address: string; until: number }[] = []) {
  const clock = new ManualClock();
  const files = new MemoryFileStore();
  const log = new MemoryLogger(clock);
  const capture = new MemoryCaptureSource();
  const backend = new MemoryBackend(new MemoryFirewall(), true);
  const commands = new CommandGrants({ runner: new RecordingRunner(), clock, store: files, statePath: '/state/grants.json', log });
  const actions = new CombinedActions(commands, async () => new FirewallGrants({ backend, clock, store: files, statePath: '/state/fw.json', log }), log);
  const host = new StaticHostView({ v4: [SERVER], v6: [] }, { tcp: [22], udp: [], ephemeral: { from: 32768, to: 60999 } });
  const replay = new ReplayStore({ store: files, path: '/state/spa-replay.json', log });
  const kernel = new KernelDouble(clock, kernelBans);
  const config = { file: '/etc/portcullis.conf', options: options({ decoys: { mode: 'off' }, failureLimit: 3, banMs: 60_000, ...opts }), doors };
  const daemon = new Daemon(config, { interfaces: ['eth0'], ipv4Only: false }, {
    capture, actions, host, clock, log, refreshMs: 1000, buildFilter: filterForHost, advanceOneTime: oneTimeAdvancer(files, log),
    spa: { replay, sockets: new MemorySpaSockets() },
    banStore: () => (actions.firewall ? { store: kernel, backend: 'nftables' } : undefined),
  });
  const handler = daemonControlHandler({ daemon, grants: [], reload: () => ({ ok: true, doors: 1 }), configPath: config.file, clock, log });
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      await replay.settled();
      await actions.firewall?.idle();
      await new Promise((r) => setImmediate(r));
    }
  };
  const udp = (payload: Uint8Array, src: string): Packet => ({ family: 4, src, dst: SERVER, proto: 'udp', srcPort: 40000, dstPort: 62201, tcpFlags: 0, payload });
  const spa = async (src: string, o: { hmac?: Uint8Array; junk?: boolean } = {}) => {
    const payload = o.junk ? new Uint8Array(Buffer.from('hello')) : spaPacket({ at: clock.now(), allowIp: src, ...(o.hmac && { hmac: o.hmac }) });
    capture.inject('any', udp(payload, src));
    await settle();
  };
  const knock = async (src: string, ...ports: number[]) => {
    for (const p of ports) capture.inject('any', tcp(src, p));
    await settle();
  };
  const open = (who: string) => backend.allows(who, 'tcp', 22, clock.now());
  return { clock, log, daemon, handler, kernel, spa, knock, open, settle };
}

const doors = () => [spaTestDoor('spa'), door('ssh', '7000,8000,9000', { open: [{ proto: 'tcp', port: 22 }] })];

test('refused SPA packets ban their source; the ban stops its SPA packets and its knocks, and is a kernel element', async () => {
  const s = scene(doors());
  await s.daemon.start();
  for (let i = 0; i < 3; i++) await s.spa(CLIENT, { hmac: WRONG_HMAC });
  assert.deepEqual([...s.kernel.elements.keys()], [CLIENT]);
  assert.equal(s.kernel.elements.get(CLIENT), s.clock.now() + 60_000);
  assert.ok(s.log.entries.some((e) => e.fields?.['event'] === 'ban.add' && e.fields['src'] === CLIENT && e.fields['reason'] === 'spa' && e.fields['failures'] === 3));
  const before = s.daemon.counters.spa.packets;
  await s.spa(CLIENT);
  assert.equal(s.open(CLIENT), false, 'a good packet from a banned source opens nothing');
  assert.equal(s.daemon.counters.spa.packets, before, 'dropped before the gate');
  await s.knock(CLIENT, 7000, 8000, 9000);
  assert.equal(s.open(CLIENT), false, 'nor does its knock');
  assert.equal(s.daemon.counters.ignored.banned, 4);
  await s.knock(OTHER, 7000, 8000, 9000);
  assert.equal(s.open(OTHER), true, 'others are not affected');

  const status = await s.handler.status();
  assert.equal(status.bans?.active, 1);
  assert.equal(status.bans?.kernel, 'nftables');
  assert.deepEqual(status.bans?.list.map((b) => [b.address, b.reason, b.failures, b.secondsLeft]), [[CLIENT, 'spa', 3, 60]]);
  assert.match(formatStatus(status), /bans \(1, in the daemon and the kernel \(nftables\); 1 since start, 0 lifted, 0 expired\)\n  address\s+reason\s+failures\s+left\n  192\.0\.2\.10\s+spa\s+3\s+1 min/);

  assert.equal(await s.handler.unban!(CLIENT), 1);
  assert.equal(s.kernel.elements.size, 0, 'the kernel element is gone when unban returns');
  assert.ok(s.log.entries.some((e) => e.fields?.['event'] === 'ban.lift' && e.fields['src'] === CLIENT && e.fields['by'] === 'control'));
  await s.spa(CLIENT);
  assert.equal(s.open(CLIENT), true, 'unbanned: its packet opens');
  assert.equal(s.daemon.counters.bansLifted, 1);
  await s.daemon.stop();
});

test('knock failures and SPA refusals add up to one ban', async () => {
  const s = scene(doors());
  await s.daemon.start();
  await s.knock(CLIENT, 7000, 9000); // wrong order: one failure
  await s.spa(CLIENT, { hmac: WRONG_HMAC });
  assert.equal(s.daemon.bans.authority.isBanned(CLIENT, s.clock.now()), false);
  await s.spa(CLIENT, { hmac: WRONG_HMAC });
  assert.equal(s.daemon.bans.authority.isBanned(CLIENT, s.clock.now()), true);
  await s.daemon.stop();
});

test('packets that are not SPA at all, and stale ones, do not count', async () => {
  const s = scene(doors());
  await s.daemon.start();
  for (let i = 0; i < 10; i++) await s.spa(CLIENT, { junk: true });
  assert.equal(s.daemon.counters.spa.refused['too-short'], 10);
  assert.equal(s.daemon.bans.authority.counts().failing, 0);
  await s.spa(CLIENT);
  assert.equal(s.open(CLIENT), true);
  await s.daemon.stop();
});

test('BanExempt sources are never banned, by knocks or SPA', async () => {
  const s = scene(doors(), { banExempt: [parseCidr('192.0.2.0/28')] });
  await s.daemon.start();
  for (let i = 0; i < 10; i++) {
    await s.spa(CLIENT, { hmac: WRONG_HMAC });
    await s.knock(CLIENT, 7000, 9000);
  }
  assert.equal(s.kernel.elements.size, 0);
  await s.spa(CLIENT);
  assert.equal(s.open(CLIENT), true);
  for (let i = 0; i < 3; i++) await s.spa(OTHER, { hmac: WRONG_HMAC });
  assert.equal(s.daemon.bans.authority.isBanned(OTHER, s.clock.now()), true, '192.0.2.20 is outside /28');
  await s.daemon.stop();
});

test('a restart honours the kernel\'s bans of the earlier run, and lifts those of sources now exempt', async () => {
  const clockStart = new ManualClock().now();
  const s = scene(doors(), { banExempt: [parseCidr('198.51.100.0/24')] }, [
    { address: CLIENT, until: clockStart + 30_000 }, { address: '198.51.100.7', until: clockStart + 30_000 },
  ]);
  await s.daemon.start();
  await s.settle();
  assert.deepEqual([...s.kernel.elements.keys()], [CLIENT]);
  await s.spa(CLIENT);
  assert.equal(s.open(CLIENT), false, 'still banned after the restart');
  const status = await s.handler.status();
  assert.deepEqual(status.bans?.list.map((b) => [b.address, b.reason]), [[CLIENT, 'restored']]);
  s.clock.advance(30_001);
  await s.spa(CLIENT);
  assert.equal(s.open(CLIENT), true, 'the ban ran out');
  await s.daemon.stop();
});

test('without a backend that keeps bans, they live in the daemon only (status says so)', async () => {
  const s = scene([door('cmd', '7000,8000,9000', { startCommand: 'true' })]);
  await s.daemon.start();
  for (let i = 0; i < 3; i++) await s.knock(CLIENT, 7000, 9000);
  const status = await s.handler.status();
  assert.equal(status.bans?.kernel, undefined);
  assert.equal(status.bans?.active, 1);
  assert.match(formatStatus(status), /bans \(1, in the daemon only;/);
  assert.equal(await s.handler.unban!(undefined), 1);
  await s.daemon.stop();
});
