// For tests: a whole daemon with in-memory edges (capture, firewall, commands,
// files, SPA sockets, manual clock, memory logger), its metrics registry wired
// as run.ts wires it, and a scenario that makes it emit most of its events.
import { CommandGrants } from '../actions/grants.js';
import { RecordingRunner } from '../actions/recording-runner.js';
import { MemoryCaptureSource } from '../capture/memory.js';
import type { Door } from '../config/model.js';
import { filterForHost } from '../daemon/capture-filter.js';
import { grantHolders } from '../daemon/control-handler.js';
import { Daemon } from '../daemon/daemon.js';
import { StaticHostView } from '../daemon/host.js';
import { oneTimeAdvancer } from '../daemon/one-time.js';
import { door, options, SERVER, tcp } from '../door/testing.js';
import { MemoryBackend, MemoryFirewall } from '../firewall/memory.js';
import { CombinedActions } from '../grants/door-actions.js';
import { FirewallGrants } from '../grants/firewall-grants.js';
import { MemoryLogger } from '../log/memory-logger.js';
import { ReplayStore } from '../spa-server/replay-cache.js';
import { MemorySpaSockets } from '../spa-server/sockets.js';
import { spaPacket, spaTestDoor } from '../spa-server/testing.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { ManualClock } from '../util/clock.js';
import { daemonMetrics, newOpenLatency } from './daemon-metrics.js';

export const CLIENT = '192.0.2.10';
export const SCANNER = '198.51.100.66';

export function observedDaemon() {
  const clock = new ManualClock();
  const log = new MemoryLogger(clock);
  const files = new MemoryFileStore();
  const capture = new MemoryCaptureSource();
  const backend = new MemoryBackend(new MemoryFirewall(), true);
  const runner = new RecordingRunner();
  const openLatency = newOpenLatency();
  const commands = new CommandGrants({ runner, clock, store: files, statePath: '/state/grants.json', log, onStarted: (kind, s) => openLatency.observe(s, { kind, via: 'command' }) });
  const actions = new CombinedActions(commands, async () => new FirewallGrants({
    backend, clock, store: files, statePath: '/state/fw.json', log, onOpened: (kind, s) => openLatency.observe(s, { kind, via: 'firewall' }),
  }), log);
  const host = new StaticHostView({ v4: [SERVER], v6: [] }, { tcp: [22], udp: [], ephemeral: { from: 32768, to: 60999 } });
  const doors: Door[] = [
    door('ssh', '7000,8000', { open: [{ proto: 'tcp', port: 22 }], openTimeoutMs: 30_000 }),
    door('cmd', '7100,7200', { startCommand: 'open %IP%', stopCommand: 'close %IP%', cmdTimeoutMs: 5000 }),
    spaTestDoor('spa'),
  ];
  const replay = new ReplayStore({ store: files, path: '/state/spa-replay.json', log });
  const daemon = new Daemon({ file: '/etc/portcullis.conf', options: options({ decoys: { mode: 'auto' }, failureLimit: 3 }), doors },
    { interfaces: ['eth0'], ipv4Only: false }, {
      capture, actions, host, clock, log, refreshMs: 1000, buildFilter: filterForHost, advanceOneTime: oneTimeAdvancer(files, log),
      spa: { replay, sockets: new MemorySpaSockets() },
    });
  const [commandHolder] = grantHolders(commands, () => actions.firewall);
  const metrics = daemonMetrics({
    counters: () => daemon.counters,
    doors: () => daemon.doors,
    tables: () => daemon.stats(),
    grants: () => ({ firewall: actions.firewall?.active().length ?? 0, command: commandHolder!.active().length }),
    firewallErrors: () => actions.firewall?.errors ?? 0,
    bans: () => daemon.bans.authority.counts(),
    startedAtMs: clock.now(),
    version: '0.0.0-test',
  }, openLatency);
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      await replay.settled();
      await actions.firewall?.idle();
      await commands.idle();
      await new Promise((r) => setImmediate(r));
    }
  };
  const knock = async (src: string, ...ports: number[]) => {
    for (const p of ports) capture.inject('any', tcp(src, p));
    await settle();
  };
  const spa = async (payload: Uint8Array, src = CLIENT) => {
    capture.inject('any', { family: 4, src, dst: SERVER, proto: 'udp', srcPort: 40000, dstPort: 62201, tcpFlags: 0, payload });
    await settle();
  };
  const advance = async (ms: number) => { clock.advance(ms); await settle(); };
  return { clock, log, backend, runner, daemon, actions, metrics, knock, spa, advance, settle };
}

/**
 * Opens, extends and expires a firewall grant; runs and fails commands; a
 * wrong knock, a decoy, a timeout, a ban; an accepted and a refused SPA packet.
 */
export async function runScenario(s: ReturnType<typeof observedDaemon>): Promise<void> {
  await s.daemon.start();
  await s.knock(CLIENT, 7000, 8000); // knock.stage ×2, knock.open, grant.open
  await s.knock(CLIENT, 7000, 8000); // grant.extend
  s.runner.script({}, { exitCode: 2, output: 'nope' });
  await s.knock(CLIENT, 7100, 7200); // command.run
  await s.advance(5000); // command.expire, command.run (stop) → command.fail, command.output
  await s.knock(CLIENT, 7000, 7200); // knock.fail (wrong-knock)
  await s.knock(CLIENT, 7000, 7001); // knock.fail (decoy)
  await s.knock(CLIENT, 7000);
  await s.advance(26_000); // knock.timeout; the grant expires: grant.close
  for (let i = 0; i < 3; i++) await s.knock(SCANNER, 7000, 1000 + i); // decoys → ban.add
  await s.spa(spaPacket({ at: s.clock.now(), allowIp: CLIENT })); // spa.accept, grant.open (spa)
  await s.spa(spaPacket({ at: s.clock.now() - 300_000, allowIp: CLIENT })); // spa.reject (stale)
  await s.daemon.stop(); // daemon.stop, grant.close on exit is only for non-kernel backends
}
