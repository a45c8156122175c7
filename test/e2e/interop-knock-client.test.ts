// `portcullis knock` against Debian's knockd 0.8, the reference server: the
// knocks must arrive as knockd expects them (one SYN per TCP step, one
// datagram per UDP step, over IPv4 and IPv6) and open its door.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, portcullisKnock, debianKnock, doorLab, expectOpened, expectShut, sleep } from './lab.js';

const skip = labSkipReason(['knockd', 'knock', 'nft']);
const opts = { skip, timeout: 60_000 };

test('reference: Debian knock opens Debian knockd (checks the lab itself)', opts, async (t) => {
  const scene = await doorLab(t, { id: 'kref', daemon: 'knockd', door: { sequence: '7000,8000:udp,9000' } });
  const { lab } = scene;
  await expectShut(scene, 'client', 4);
  await debianKnock(lab, 'client', [lab.server.ip4, '7000', '8000:udp', '9000']);
  await expectOpened(scene, 'client', 4);
});

test('portcullis knock opens knockd over TCP', opts, async (t) => {
  const scene = await doorLab(t, { id: 'kcli', daemon: 'knockd', door: { sequence: '7000,8000,9000' } });
  const { lab, daemon } = scene;
  await expectShut(scene, 'client', 4);
  await portcullisKnock(lab, 'client', [lab.server.ip4, '7000', '8000', '9000']);
  await expectOpened(scene, 'client', 4);
  assert.equal(daemon.all(/: Stage \d+$/).length, 3, daemon.output());
});

test('portcullis knock opens knockd with :udp steps', opts, async (t) => {
  const scene = await doorLab(t, { id: 'kcliu', daemon: 'knockd', door: { sequence: '7000:udp,8000:tcp,9000:udp' } });
  await portcullisKnock(scene.lab, 'client', [scene.lab.server.ip4, '7000:udp', '8000:tcp', '9000:udp']);
  await expectOpened(scene, 'client', 4);
});

test('portcullis knock -u opens a knockd door of UDP steps', opts, async (t) => {
  const scene = await doorLab(t, { id: 'kcliu', daemon: 'knockd', door: { sequence: '7001:udp,8001:udp,9001:udp' } });
  await portcullisKnock(scene.lab, 'client', ['-u', scene.lab.server.ip4, '7001', '8001', '9001']);
  await expectOpened(scene, 'client', 4);
});

test('portcullis knock -6 opens knockd over IPv6', opts, async (t) => {
  const scene = await doorLab(t, { id: 'kcli6', daemon: 'knockd', door: { sequence: '7000,8000:udp,9000' } });
  const { lab } = scene;
  await expectShut(scene, 'client', 6);
  await portcullisKnock(lab, 'client', ['-6', lab.server.ip6, '7000', '8000:udp', '9000']);
  await expectOpened(scene, 'client', 6);
  // Only the IPv6 address was let in.
  await expectShut(scene, 'client', 4);
});

test('portcullis knock sends the steps in the order given (a wrong order does not open knockd)', opts, async (t) => {
  const scene = await doorLab(t, { id: 'kclio', daemon: 'knockd', door: { sequence: '7000,8000,9000' } });
  const { lab, daemon } = scene;
  await portcullisKnock(lab, 'client', [lab.server.ip4, '7000', '9000', '8000']);
  // knockd logs Stage 1 at 7000, then drops the attempt silently at 9000.
  await daemon.waitForLine(/: openSSH: Stage 1$/, 5000);
  await sleep(500);
  assert.equal(daemon.find(/OPEN SESAME/), undefined, daemon.output());
  await expectShut(scene, 'client', 4);
});

test('portcullis knock -d spaces the steps out and knockd still opens', opts, async (t) => {
  const scene = await doorLab(t, { id: 'kclid', daemon: 'knockd', door: { sequence: '7000,8000,9000', seqTimeout: 5 } });
  const { lab, daemon } = scene;
  await portcullisKnock(lab, 'client', ['-d', '400', lab.server.ip4, '7000', '8000', '9000']);
  await expectOpened(scene, 'client', 4);
  const stages = daemon.all(/: Stage \d+$/);
  assert.equal(stages.length, 3, daemon.output());
  const [first, , last] = stages;
  assert.ok(first && last);
  // Two gaps of 400 ms between three knocks, less a little for timer granularity.
  assert.ok(last.at - first.at >= 700, `knocks arrived ${last.at - first.at} ms apart, expected about 800`);
});
