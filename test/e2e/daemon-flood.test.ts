// A spoofed-source SYN flood on the door's first port, with an attempt table
// far smaller than the flood, so that nearly every flood packet evicts an
// attempt and a stage-1 attempt lasts a fraction of a second. The client
// knocks two steps, waits 1.5 s, then knocks the last: its attempt survives
// because a full table sheds stage-1 attempts first (each spoofed source sends
// one packet). With plain oldest-first eviction it would be gone. Bounded:
// 40,000 packets, about 6,000 a second on this kind of machine, from a client
// namespace; the lab has no route out, so the server's answers to the random
// sources go nowhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, doorLab, expectOpened, expectShut, portcullisKnock, formatResult, sleep } from './lab.js';

const skip = labSkipReason(['nft', 'hping3']);

test('a spoofed SYN flood that keeps the attempt table full does not keep a legitimate client out', { skip, timeout: 120_000 }, async (t) => {
  const scene = await doorLab(t, {
    id: 'flood', daemon: 'portcullis', clients: ['client', 'flooder'],
    door: { sequence: '7000,8000,9000', seqTimeout: 5, stop: false },
    options: ['MaxAttempts = 2000'],
  });
  const { lab, daemon } = scene;
  await expectShut(scene, 'client', 4);
  const flood = lab.exec('flooder', ['hping3', '-q', '-S', '--rand-source', '-p', '7000', '-i', 'u100', '--count', '40000', lab.server.ip4], { timeoutMs: 60_000 });
  await sleep(500); // the table is full by now
  for (let i = 0; i < 2; i++) {
    const since = daemon.mark();
    await portcullisKnock(lab, 'client', [lab.server.ip4, '7000', '8000']);
    await sleep(1500);
    await portcullisKnock(lab, 'client', [lab.server.ip4, '9000']);
    await expectOpened(scene, 'client', 4, since);
  }
  const done = await flood;
  assert.match(done.stdout + done.stderr, /40000 packets transmitted/, formatResult(done));
  assert.ok(daemon.running, `the daemon died under the flood\n${daemon.output()}`);
  // The summary line says how many attempts the flood cost (it comes every 10 s; ask for it with a short wait).
  await daemon.waitForLine(/attempts evicted \(table full\)/, 15_000);
});
