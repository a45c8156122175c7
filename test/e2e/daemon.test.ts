// `portcullis serve` end to end: who gets in, and who does not. Two clients
// share the server's segment; only the one that knocks may pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  labSkipReason, portcullisKnock, doorLab, expectOpened, expectShut, sleep, doorEvent, type Family,
} from './lab.js';

const skip = labSkipReason(['nft']);
const opts = { skip, timeout: 60_000 };
const clients = ['client', 'client2'];
const door = { sequence: '7000,8000,9000', seqTimeout: 5 };

for (const family of [4, 6] as const satisfies readonly Family[]) {
  test(`the right sequence opens for the knocking address only (IPv${family})`, opts, async (t) => {
    const scene = await doorLab(t, { id: `own${family}`, daemon: 'portcullis', door, clients });
    const { lab } = scene;
    const server = family === 4 ? lab.server.ip4 : lab.server.ip6;
    await expectShut(scene, 'client', family);
    await portcullisKnock(lab, 'client', [`-${family}`, server, '7000', '8000', '9000']);
    await expectOpened(scene, 'client', family);
    // The other client, and the knocker's other address family, stay out.
    await expectShut(scene, 'client2', family);
    await expectShut(scene, 'client', family === 4 ? 6 : 4);
    await expectShut(scene, 'client2', family === 4 ? 6 : 4);
  });
}

test('a wrong order does not open; the right order afterwards does', opts, async (t) => {
  const scene = await doorLab(t, { id: 'order', daemon: 'portcullis', door });
  const { lab, daemon } = scene;
  const ip = lab.host('client').ip4;
  // Each ends with no attempt in progress, so the right order below starts clean.
  for (const wrong of [['7000', '9000', '8000'], ['8000', '7000', '9000']]) {
    await portcullisKnock(lab, 'client', [lab.server.ip4, ...wrong]);
  }
  await sleep(500);
  assert.equal(daemon.find(doorEvent(ip, 'OPEN SESAME')), undefined, daemon.output());
  await expectShut(scene, 'client', 4);
  // The daemon was listening all along: the right order opens.
  const since = daemon.mark();
  await portcullisKnock(lab, 'client', [lab.server.ip4, '7000', '8000', '9000']);
  await expectOpened(scene, 'client', 4, since);
});

test('a sequence slower than seq_timeout does not open', opts, async (t) => {
  const scene = await doorLab(t, { id: 'slow', daemon: 'portcullis', door: { sequence: '7000,8000,9000', seqTimeout: 2 } });
  const { lab, daemon } = scene;
  const ip = lab.host('client').ip4;
  // Knocks at 0, 1.3 and 2.6 s: each gap is within the timeout, the whole is not.
  await portcullisKnock(lab, 'client', ['-d', '1300', lab.server.ip4, '7000', '8000', '9000']);
  await sleep(500);
  assert.ok(daemon.find(doorEvent(ip, 'Stage 1')), `the first knock was not seen\n${daemon.output()}`);
  assert.equal(daemon.find(doorEvent(ip, 'OPEN SESAME')), undefined, daemon.output());
  await expectShut(scene, 'client', 4);
  // The same knocks in time do open.
  const since = daemon.mark();
  await portcullisKnock(lab, 'client', ['-d', '300', lab.server.ip4, '7000', '8000', '9000']);
  await expectOpened(scene, 'client', 4, since);
});

test('knocks from two clients at once each open for their own address', opts, async (t) => {
  const scene = await doorLab(t, { id: 'two', daemon: 'portcullis', door, clients });
  const { lab } = scene;
  // Interleaved on the wire: knockd 0.8 lost one of the two attempts.
  await Promise.all(clients.map((role) => portcullisKnock(lab, role, ['-d', '200', lab.server.ip4, '7000', '8000', '9000'])));
  await expectOpened(scene, 'client', 4);
  await expectOpened(scene, 'client2', 4);
});
