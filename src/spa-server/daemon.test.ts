// The daemon with SPA doors on the in-memory doubles: capture double (or
// socket double) → Daemon → SpaReceiver → SpaGate → CombinedActions →
// FirewallGrants on the memory backend, or CommandGrants with a recording
// runner; the replay cache in a MemoryFileStore that outlives a "restart".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandGrants } from '../actions/grants.js';
import { RecordingRunner } from '../actions/recording-runner.js';
import { MemoryCaptureSource } from '../capture/memory.js';
import type { Door, Options } from '../config/model.js';
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
import { COPY_WINDOW_MS } from './recent-accepts.js';
import { ReplayStore, parseReplay } from './replay-cache.js';
import { buildStatus } from '../daemon/control-handler.js';
import { formatStatus } from '../control/status-format.js';
import { MemorySpaSockets } from './sockets.js';
import { spaPacket, spaTestDoor, type PacketOptions } from './testing.js';
import { SpaCommands } from './command-exec.js';
import { TableLookup } from './command-identity.js';
import { MessageType } from '../spa/types.js';

const CLIENT = '192.0.2.10';
const REPLAY = '/state/spa-replay.json';

interface World {
  readonly clock: ManualClock;
  readonly files: MemoryFileStore;
  readonly firewall: MemoryFirewall;
}

function world(): World {
  return { clock: new ManualClock(), files: new MemoryFileStore(), firewall: new MemoryFirewall() };
}

/** One daemon run in `w`; a second scene on the same world is a restart. */
function scene(doors: Door[], w: World = world(), opts: Options = options({ decoys: { mode: 'auto' } })) {
  const { clock, files, firewall } = w;
  const log = new MemoryLogger(clock);
  const capture = new MemoryCaptureSource();
  const backend = new MemoryBackend(firewall, true);
  const runner = new RecordingRunner();
  const sockets = new MemorySpaSockets();
  const commands = new CommandGrants({ runner, clock, store: files, statePath: '/state/grants.json', log });
  const actions = new CombinedActions(commands, async () => new FirewallGrants({ backend, clock, store: files, statePath: '/state/fw.json', log }), log);
  const host = new StaticHostView({ v4: [SERVER], v6: ['fd00::1'] }, { tcp: [22], udp: [], ephemeral: { from: 32768, to: 60999 } });
  const replay = new ReplayStore({ store: files, path: REPLAY, log });
  // Command messages (enable_cmd_exec) on the same recording runner, as run.ts wires them.
  const spaCommands = new SpaCommands({ runner, lookup: new TableLookup({ spacmd: { uid: 990, gid: 990 } }), log, clock, self: { uid: 0, gid: 0, canSwitch: true } });
  assert.deepEqual(spaCommands.prepare({ file: '/etc/portcullis.conf', options: opts, doors }), []);
  const daemon = new Daemon({ file: '/etc/portcullis.conf', options: opts, doors }, { interfaces: ['eth0'], ipv4Only: false }, {
    capture, actions, host, clock, log, refreshMs: 1000, buildFilter: filterForHost, advanceOneTime: oneTimeAdvancer(files, log),
    spa: { replay, sockets, commands: spaCommands },
  });
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      await replay.settled();
      await actions.firewall?.idle();
      await commands.idle();
      await spaCommands.idle();
      await new Promise((r) => setImmediate(r));
    }
  };
  const datagram = (payload: Uint8Array, src = CLIENT, port = 62201, dst = SERVER): Packet =>
    ({ family: src.includes(':') ? 6 : 4, src, dst, proto: 'udp', srcPort: 40000, dstPort: port, tcpFlags: 0, payload });
  /** Sends `payload` as a captured datagram, then lets the writes and grants happen. */
  const send = async (payload: Uint8Array, src = CLIENT, port = 62201, dst = SERVER) => {
    capture.inject('any', datagram(payload, src, port, dst));
    await settle();
  };
  const packet = (o: PacketOptions = {}) => spaPacket({ at: clock.now(), allowIp: CLIENT, ...o });
  const open = (port = 22, who = CLIENT) => backend.allows(who, 'tcp', port, clock.now());
  return { ...w, log, capture, runner, sockets, daemon, replay, actions, settle, send, packet, open };
}

test('an SPA packet opens open_ports for the client through the firewall; the grant ends after fw_access_timeout', async () => {
  const s = scene([spaTestDoor('spa')]);
  await s.daemon.start();
  assert.deepEqual(s.firewall.layout?.protected, [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 62201 }], 'open_ports are protected like open =, and the captured SPA port is dropped (no ICMP answer)');
  assert.match(s.daemon.captureFilter, /udp dst port 62201/);
  assert.equal(s.open(), false);
  await s.send(s.packet());
  assert.equal(s.open(), true);
  assert.ok(s.log.has(`${CLIENT}: spa: SPA packet accepted (user root), opening tcp/22 for ${CLIENT} for 30 s`), s.log.messages().join('\n'));
  assert.ok(s.log.has(`${CLIENT}: spa: opened tcp/22 for 30 s`));
  assert.equal(s.daemon.counters.spa.opens, 1);
  assert.equal(s.daemon.counters.spa.packets, 1);
  assert.ok(parseReplay(s.files.read(REPLAY)!).entries.length === 1, 'the digest is on disk');
  s.clock.advance(30_001);
  await s.settle();
  assert.equal(s.open(), false);
  await s.daemon.stop();
});

test('a replay opens nothing, is logged once with its reason and counted; also across a restart with the same state', async () => {
  const w = world();
  const first = scene([spaTestDoor('spa')], w);
  await first.daemon.start();
  const p = first.packet();
  await first.send(p);
  assert.equal(first.open(), true);
  await first.send(p);
  assert.equal(first.daemon.counters.spa.refused.repeat, 1, 'a second copy at once (a bridge) is a repeat: refused, not counted for bans');
  w.clock.advance(COPY_WINDOW_MS + 1);
  await first.send(p);
  assert.equal(first.daemon.counters.spa.refused.replay, 1);
  const lines = first.log.messages('info').filter((m) => m.includes('SPA packet refused'));
  assert.equal(first.log.messages('debug').filter((m) => m.includes('SPA packet refused (repeat)')).length, 1, 'the copy at debug only');
  assert.deepEqual(lines, [`${CLIENT}: spa: SPA packet refused (replay): this exact packet was seen before`]);
  await first.daemon.stop();

  // The daemon restarts on the same files after the grant ended, while the packet is still young enough for the age check.
  w.clock.advance(40_000);
  const second = scene([spaTestDoor('spa')], w);
  await second.daemon.start();
  assert.equal(second.open(), false);
  await second.send(p);
  assert.equal(second.open(), false, 'a restart does not reopen the replay window');
  assert.equal(second.daemon.counters.spa.refused.replay, 1);
  assert.equal(second.daemon.counters.spa.opens, 0);
  await second.send(second.packet());
  assert.equal(second.open(), true, 'a fresh packet still works');
  await second.daemon.stop();
});

test('each refusal reason is counted and logged with the door; status shows the SPA counters', async () => {
  const s = scene([spaTestDoor('spa', { requireUsername: 'root' })]);
  await s.daemon.start();
  await s.send(s.packet({ at: s.clock.now() - 300_000 }));
  await s.send(s.packet({ access: [{ proto: 'tcp', port: 23 }] }));
  await s.send(s.packet({ allowIp: '0.0.0.0' }));
  await s.send(s.packet({ hmac: new Uint8Array(64).fill(2) }));
  await s.send(s.packet({ username: 'eve' }));
  await s.send(new Uint8Array(Buffer.from('hello')));
  assert.equal(s.open(), false);
  const r = s.daemon.counters.spa.refused;
  assert.deepEqual([r.stale, r['port-not-allowed'], r['source-required'], r['bad-hmac'], r.username, r['too-short']], [1, 1, 1, 1, 1, 1]);
  assert.equal(s.daemon.counters.spa.packets, 6);
  const refused = s.log.messages().filter((m) => m.includes('SPA packet refused'));
  assert.equal(refused.length, 6);
  assert.ok(refused.some((m) => m.startsWith(`${CLIENT}: spa: SPA packet refused (stale): timestamp 300 s in the past`)), refused.join('\n'));
  assert.ok(refused.some((m) => m.startsWith(`${CLIENT}: spa: SPA packet refused (port-not-allowed): tcp/23 is not in open_ports (tcp/22)`)));
  assert.ok(refused.some((m) => m.includes('(source-required)')));
  assert.ok(refused.some((m) => m.includes('(too-short)')));
  const entry = s.log.entries.find((e) => e.msg.includes('(stale)'))!;
  assert.deepEqual(entry.fields, { event: 'spa.reject', src: CLIENT, reason: 'stale', door: 'spa', detail: entry.fields?.['detail'] });
  assert.match(String(entry.fields?.['detail']), /^timestamp 300 s in the past/);
  const status = buildStatus(s.daemon.statusSnapshot(), [], { now: s.clock.now(), startedAt: s.clock.now(), config: 'x', pid: 1 });
  assert.equal(status.counters.spa?.packets, 6);
  assert.equal(status.counters.spa?.refused['bad-hmac'], 1);
  assert.match(formatStatus(status), /SPA packets +6 \(0 accepted, 6 refused: too-short 1, bad-hmac 1, stale 1, source-required 1, username 1, port-not-allowed 1\)/);
  await s.daemon.stop();
});

test('a flood of junk to the SPA port is rate-limited in the log, counted in full, and summarised', async () => {
  const s = scene([spaTestDoor('spa')]);
  await s.daemon.start();
  const junk = new Uint8Array(Buffer.from('A'.repeat(200)));
  for (let i = 0; i < 1000; i++) s.capture.inject('any', { family: 4, src: `198.51.100.${i % 250}`, dst: SERVER, proto: 'udp', srcPort: 1, dstPort: 62201, tcpFlags: 0, payload: junk });
  await s.settle();
  assert.equal(s.daemon.counters.spa.packets, 1000);
  assert.equal(Object.values(s.daemon.counters.spa.refused).reduce((a, b) => a + b, 0), 1000);
  const lines = s.log.messages().filter((m) => m.includes('SPA packet refused')).length;
  assert.ok(lines <= 200, `${lines} lines`);
  for (let i = 0; i < 11; i++) { s.clock.advance(1000); await s.settle(); }
  assert.ok(s.log.has(/last \d+ s: \d+ log lines suppressed, .*1000 SPA packets \(0 accepted\)/), s.log.messages().slice(-3).join('\n'));
  await s.daemon.stop();
});

test('the SPA port is never a knock or a decoy: an attempt in flight survives an SPA packet; the keeper never sees SPA doors', async () => {
  const knock = door('ssh', '7000,8000', { startCommand: 'open %IP%' });
  const s = scene([knock, spaTestDoor('spa')]);
  await s.daemon.start();
  s.capture.inject('any', tcp(CLIENT, 7000));
  await s.send(s.packet());
  s.capture.inject('any', tcp(CLIENT, 8000));
  await s.settle();
  assert.deepEqual(s.runner.commands, [`open ${CLIENT}`], 'the knock completed across the SPA packet (decoys = auto)');
  assert.equal(s.daemon.counters.decoyHits, 0);
  assert.equal(s.daemon.counters.spa.opens, 1);
  assert.deepEqual(s.daemon.inFlight(), []);
  await s.daemon.stop();
});

test('only datagrams to this host count; an SPA packet routed through to another host is ignored', async () => {
  const s = scene([spaTestDoor('spa')]);
  await s.daemon.start();
  await s.send(s.packet(), CLIENT, 62201, '203.0.113.99');
  assert.equal(s.daemon.counters.spa.packets, 0);
  assert.equal(s.daemon.counters.ignored['not-for-us'], 1);
  await s.send(s.packet(), CLIENT, 62201, 'fd00::1');
  assert.equal(s.open(), true, 'any address of the host, IPv6 included');
  await s.daemon.stop();
});

test('spa_listen = socket: the port is bound, datagrams from the socket open the door; the capture does not see them twice', async () => {
  const s = scene([spaTestDoor('sock', { port: 5000, listen: 'socket' })]);
  await s.daemon.start();
  assert.equal(s.sockets.bound.has(5000), true);
  assert.match(s.daemon.captureFilter, /udp and not \(udp dst port 5000 /, 'not captured, not a decoy');
  const p = s.packet();
  await s.send(p, CLIENT, 5000);
  assert.equal(s.daemon.counters.spa.packets, 0, 'a captured copy is left to the socket');
  assert.equal(s.sockets.send(5000, p, CLIENT), true);
  await s.settle();
  assert.equal(s.open(), true);
  assert.equal(s.sockets.send(5000, p, `::ffff:${CLIENT}`), true, 'an IPv4-mapped source is the IPv4 address');
  await s.settle();
  assert.equal(s.daemon.counters.spa.refused.repeat, 1, 'the same source as the accepted packet, at once');
  await s.daemon.stop();
  assert.equal(s.sockets.bound.has(5000), false, 'closed on stop');
});

test('spa_listen = socket: a port that cannot be bound stops the start with the reason', async () => {
  const s = scene([spaTestDoor('sock', { port: 5000, listen: 'socket' })]);
  s.sockets.taken.add(5000);
  await assert.rejects(s.daemon.start(), /cannot bind udp\/5000 for SPA \(spa_listen = socket\): bind EADDRINUSE/);
});

test('a reload adds and removes SPA doors: sockets follow, the replay cache stays', async () => {
  const w = world();
  const s = scene([door('ssh', '7000,8000', { open: [{ proto: 'tcp', port: 22 }] })], w);
  await s.daemon.start();
  const p = s.packet();
  s.daemon.reload({ file: 'x', options: options(), doors: [spaTestDoor('sock', { port: 5000, listen: 'socket' })] });
  await s.settle();
  assert.equal(s.sockets.bound.has(5000), true);
  s.sockets.send(5000, p, CLIENT);
  await s.settle();
  assert.equal(s.open(), true);
  s.daemon.reload({ file: 'x', options: options(), doors: [spaTestDoor('spa')] });
  await s.settle();
  assert.equal(s.sockets.bound.has(5000), false);
  w.clock.advance(COPY_WINDOW_MS + 1);
  await s.send(p);
  assert.equal(s.daemon.counters.spa.refused.replay, 1, 'the replay cache outlives the reload');
  await s.daemon.stop();
});

test('an SPA door with commands: %IP%, %PORT%, %PROTO%, %TIMEOUT% filled in; the stop runs after the granted time', async () => {
  const spa = spaTestDoor('cmd', {
    openPorts: [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }],
    startCommand: 'allow %IP% %PROTO%/%PORT% for %TIMEOUT%', stopCommand: 'deny %IP% %PROTO%/%PORT%',
  });
  const s = scene([spa]);
  await s.daemon.start();
  assert.equal(s.firewall.layout, undefined, 'a command door never builds the firewall backend');
  await s.send(s.packet({ access: [{ proto: 'udp', port: 1194 }, { proto: 'tcp', port: 22 }], clientTimeout: 45 }));
  assert.deepEqual(s.runner.commands, [`allow ${CLIENT} udp/1194 for 45`]);
  s.clock.advance(44_000);
  await s.settle();
  assert.equal(s.runner.commands.length, 1);
  s.clock.advance(1_001);
  await s.settle();
  assert.deepEqual(s.runner.commands, [`allow ${CLIENT} udp/1194 for 45`, `deny ${CLIENT} udp/1194`]);
  await s.daemon.stop();
});

test('the firewall grant: a second request while one is held adds its ports and never shortens it', async () => {
  const s = scene([spaTestDoor('spa', { openPorts: [{ proto: 'tcp', port: 22 }, { proto: 'tcp', port: 443 }] })]);
  await s.daemon.start();
  await s.send(s.packet({ clientTimeout: 100 }));
  s.clock.advance(10_000);
  await s.send(s.packet({ access: [{ proto: 'tcp', port: 443 }], clientTimeout: 5 }));
  assert.deepEqual([s.open(22), s.open(443)], [true, true]);
  s.clock.advance(80_000);
  await s.settle();
  assert.deepEqual([s.open(22), s.open(443)], [true, true], 'both last until the later expiry');
  s.clock.advance(10_001);
  await s.settle();
  assert.deepEqual([s.open(22), s.open(443)], [false, false]);
  assert.equal(s.actions.firewall!.active().length, 0);
  await s.daemon.stop();
});

test('the grant does not wait for the replay file: a failing write is logged, the grant still happens', async () => {
  const s = scene([spaTestDoor('spa')]);
  await s.daemon.start();
  s.files.failWrites = true;
  await s.send(s.packet());
  assert.equal(s.open(), true);
  assert.ok(s.log.has(/cannot save the SPA replay cache to \/state\/spa-replay\.json: ENOSPC/));
  await s.daemon.stop();
});

test('the grant is made before the replay file is written (the fsync stays off the grant path)', async () => {
  const s = scene([spaTestDoor('spa')]);
  await s.daemon.start();
  let writes = 0;
  const write = s.files.writeAtomicAsync.bind(s.files);
  s.files.writeAtomicAsync = (path: string, data: string) => { writes++; return new Promise((r) => setTimeout(r, 50)).then(() => write(path, data)); };
  const sent = s.send(s.packet());
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.open(), true, 'open while the write is still in flight');
  assert.ok(writes >= 1, 'the replay write (and the grant file) are still in flight');
  await sent;
  await s.daemon.stop();
  assert.equal(parseReplay(s.files.read(REPLAY)!).running, false, 'a clean stop clears the running mark');
});

test('a daemon without SPA deps refuses SPA doors at start', async () => {
  const clock = new ManualClock();
  const log = new MemoryLogger(clock);
  const files = new MemoryFileStore();
  const commands = new CommandGrants({ runner: new RecordingRunner(), clock, store: files, statePath: '/g', log });
  const d = new Daemon({ file: 'x', options: options(), doors: [spaTestDoor('spa', { startCommand: 'x' })] }, { interfaces: ['eth0'], ipv4Only: false }, {
    capture: new MemoryCaptureSource(), actions: commands, host: new StaticHostView({ v4: [SERVER], v6: [] }, { tcp: [], udp: [], ephemeral: { from: 1, to: 2 } }),
    clock, log, buildFilter: () => 'f', advanceOneTime: oneTimeAdvancer(files, log),
  });
  await assert.rejects(d.start(), /SPA doors need an SPA replay store/);
});

test('a NAT request (fwknop -N) matching the door\'s forward rule gets gateway access through the backend', async () => {
  const forwards = [{ proto: 'tcp', port: 13389, host: '10.1.0.5', family: 4, hostPort: 3389 }] as const;
  const s = scene([{ ...spaTestDoor('gw', { openPorts: [] }), forwards }]);
  await s.daemon.start();
  assert.deepEqual(s.firewall.layout?.forwarded, [{ proto: 'tcp', port: 13389, forward: { host: '10.1.0.5', port: 3389 } }]);
  await s.send(s.packet({ access: [{ proto: 'tcp', port: 13389 }], nat: { host: '10.1.0.5', port: 3389 } }));
  assert.deepEqual([...s.firewall.entries.values()].map((e) => [e.address, e.service, e.forward]),
    [[CLIENT, { proto: 'tcp', port: 13389 }, { host: '10.1.0.5', port: 3389 }]]);
  assert.ok(s.log.has(`${CLIENT}: gw: SPA packet accepted (user root), opening tcp/13389 -> 10.1.0.5:3389 for ${CLIENT} for 30 s`), s.log.messages().join('\n'));
  await s.send(s.packet({ access: [{ proto: 'tcp', port: 13389 }], nat: { host: '10.1.0.6', port: 3389 } }));
  assert.equal(s.daemon.counters.spa.refused['forward-not-allowed'], 1);
  await s.daemon.stop();
});

test('a command message on an enable_cmd_exec door runs through the daemon: an exec on the runner, no grant, counted in status', async () => {
  const s = scene([spaTestDoor('cmd', { commandExec: { user: 'spacmd', userLine: 3, timeoutMs: 10_000, maxRunning: 1, allow: [['/usr/bin/id', '-u']] } })]);
  await s.daemon.start();
  await s.send(s.packet({ type: MessageType.command, command: '/usr/bin/id -u' }));
  await s.send(s.packet({ type: MessageType.command, command: '/usr/bin/id -g' }));
  assert.deepEqual(s.runner.execs.map((e) => [e.argv, e.uid, e.gid, e.cwd]), [[['/usr/bin/id', '-u'], 990, 990, '/']]);
  assert.deepEqual(s.runner.commands, [], 'no shell command');
  assert.equal(s.open(), false, 'a command message grants no port');
  assert.equal(s.daemon.counters.spa.commands, 1);
  assert.equal(s.daemon.counters.spa.refused['command-not-allowed'], 1);
  const status = buildStatus(s.daemon.statusSnapshot(), [], { now: s.clock.now(), startedAt: s.clock.now(), config: 'x', pid: 1 });
  assert.match(formatStatus(status), /SPA packets +2 \(0 accepted, 1 commands run, 1 refused: command-not-allowed 1\)/);
  await s.daemon.stop();
});
