// Debian's `knock` client (the one knockd users already have) against
// `portcullis serve`: the same knocks must open the same door.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, debianKnock, doorLab, expectOpened, expectShut, doorEvent } from './lab.js';

const skip = labSkipReason(['knock', 'nft']);
const opts = { skip, timeout: 60_000 };

test('Debian knock opens portcullis over TCP', opts, async (t) => {
  const scene = await doorLab(t, { id: 'dkt', daemon: 'portcullis', door: { sequence: '7000,8000,9000' } });
  const { lab, daemon } = scene;
  await expectShut(scene, 'client', 4);
  await debianKnock(lab, 'client', [lab.server.ip4, '7000', '8000', '9000']);
  await expectOpened(scene, 'client', 4);
  for (const stage of [1, 2, 3]) assert.ok(daemon.find(doorEvent(lab.host('client').ip4, `Stage ${stage}`)), daemon.output());
  assert.ok(daemon.find(/openSSH: running command: nft add element inet lab allowed4/), daemon.output());
});

test('Debian knock opens portcullis with :udp steps', opts, async (t) => {
  const scene = await doorLab(t, { id: 'dku', daemon: 'portcullis', door: { sequence: '7000:udp,8000,9000:udp' } });
  await debianKnock(scene.lab, 'client', [scene.lab.server.ip4, '7000:udp', '8000', '9000:udp']);
  await expectOpened(scene, 'client', 4);
});

test('Debian knock -u opens a portcullis door of UDP steps', opts, async (t) => {
  const scene = await doorLab(t, { id: 'dkuu', daemon: 'portcullis', door: { sequence: '7001:udp,8001:udp,9001:udp' } });
  await debianKnock(scene.lab, 'client', ['-u', scene.lab.server.ip4, '7001', '8001', '9001']);
  await expectOpened(scene, 'client', 4);
});

test('Debian knock -6 opens portcullis over IPv6 with start_command_6', opts, async (t) => {
  const scene = await doorLab(t, { id: 'dk6', daemon: 'portcullis', door: { sequence: '7000,8000:udp,9000' } });
  const { lab, daemon } = scene;
  await expectShut(scene, 'client', 6);
  await debianKnock(lab, 'client', ['-6', lab.server.ip6, '7000', '8000:udp', '9000']);
  await expectOpened(scene, 'client', 6);
  assert.ok(daemon.find(/openSSH: running command: nft add element inet lab allowed6/), daemon.output());
  await expectShut(scene, 'client', 4);
});
