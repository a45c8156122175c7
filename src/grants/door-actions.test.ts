// The daemon pipeline with a firewall backend: capture double → Daemon →
// CombinedActions → FirewallGrants → in-memory backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandGrants } from '../actions/grants.js';
import { RecordingRunner } from '../actions/recording-runner.js';
import { MemoryCaptureSource } from '../capture/memory.js';
import type { Door } from '../config/model.js';
import { Daemon } from '../daemon/daemon.js';
import { StaticHostView } from '../daemon/host.js';
import { oneTimeAdvancer } from '../daemon/one-time.js';
import { door, options, SERVER, tcp } from '../door/testing.js';
import { MemoryBackend, MemoryFirewall } from '../firewall/memory.js';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { ManualClock } from '../util/clock.js';
import { CombinedActions } from './door-actions.js';
import { FirewallGrants } from './firewall-grants.js';

const CLIENT = '192.0.2.10';
const openSSH = door('openSSH', '7000,8000', { open: [{ proto: 'tcp', port: 22 }], openTimeoutMs: 10_000 });
const closeSSH = door('closeSSH', '9000,8000', { revokes: ['openSSH'] });

function scene(doors: Door[]) {
  const clock = new ManualClock();
  const log = new MemoryLogger(clock);
  const capture = new MemoryCaptureSource();
  const files = new MemoryFileStore();
  const firewall = new MemoryFirewall();
  const backend = new MemoryBackend(firewall, false);
  const runner = new RecordingRunner();
  let built = 0;
  const commands = new CommandGrants({ runner, clock, store: files, statePath: '/state/grants.json', log });
  const actions = new CombinedActions(commands, async () => {
    built++;
    return new FirewallGrants({ backend, clock, store: files, statePath: '/state/fw.json', log });
  }, log);
  const host = new StaticHostView({ v4: [SERVER], v6: [] }, { tcp: [22], udp: [], ephemeral: { from: 32768, to: 60999 } });
  const daemon = new Daemon({ file: '/etc/portcullis.conf', options: options(), doors }, { interfaces: ['eth0'], ipv4Only: false }, {
    capture, actions, host, clock, log, refreshMs: 1000, buildFilter: () => 'f', advanceOneTime: oneTimeAdvancer(files, log),
  });
  const settle = async () => { for (let i = 0; i < 5; i++) { await actions.firewall?.idle(); await new Promise((r) => setImmediate(r)); } };
  const knock = async (...ports: number[]) => { for (const p of ports) capture.inject('any', tcp(CLIENT, p)); await settle(); };
  const open = () => backend.allows(CLIENT, 'tcp', 22, clock.now());
  return { clock, log, firewall, runner, daemon, actions, knock, settle, open, built: () => built };
}

test('a door with open = tcp/22 opens the port for the knocker, runs no command, and closes it on time', async () => {
  const s = scene([openSSH]);
  await s.daemon.start();
  assert.deepEqual(s.firewall.layout?.protected, [{ proto: 'tcp', port: 22 }]);
  await s.knock(7000, 8000);
  assert.ok(s.open());
  assert.deepEqual(s.runner.commands, []);
  s.clock.advance(10_000);
  await s.settle();
  assert.ok(!s.open());
  await s.daemon.stop();
});

test('a closing door revokes the opening door\'s grant for the knocking source', async () => {
  const s = scene([openSSH, closeSSH]);
  await s.daemon.start();
  await s.knock(7000, 8000);
  assert.ok(s.open());
  await s.knock(9000, 8000);
  assert.ok(!s.open());
  assert.ok(s.log.has(`${CLIENT}: openSSH: revoked`));
  await s.daemon.stop();
});

test('a knockd config without open never builds a firewall backend; a reload that adds one does', async () => {
  const plain = door('plain', '7000,8000', { startCommand: 'echo %IP%' });
  const s = scene([plain]);
  await s.daemon.start();
  assert.equal(s.built(), 0);
  assert.equal(s.firewall.layout, undefined, 'the firewall was never touched');
  s.daemon.reload({ file: '/etc/portcullis.conf', options: options(), doors: [plain, openSSH] });
  await s.settle();
  assert.equal(s.built(), 1);
  await s.knock(7000, 8000);
  assert.ok(s.open(), 'the door added by the reload works');
  assert.deepEqual(s.runner.commands, [`echo ${CLIENT}`], 'the plain door still runs its command (7000,8000 opens both)');
  await s.daemon.stop();
});
