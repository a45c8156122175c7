// Attack: replay of what an eavesdropper recorded. tcpdump on the server's
// segment records a legitimate exchange; the attacker sends it again, byte
// for byte. SPA: the real fwknop client's packet opens the door once; the
// recorded frame sent again from the attacker's namespace with the client's
// source address (spoofed, so the grant would be the client's), the same
// payload from the client's own socket, and from the attacker's own address
// are each refused as a replay, and nobody gets a grant. A fresh packet still
// opens. Knock: a replay-resistant door (`sequence_secret`: the ports are
// an HMAC of the secret and the time window, each sequence good once); the
// three SYNs `portcullis knock --secret` sent open it once; the recorded
// frames sent again spoofed as the client, the same ports knocked from the
// attacker's own address, and by the client itself are refused: no OPEN
// SESAME, no grant, and the replayed ports now count as failures (decoys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeRegExp, labSkipReason, sleep } from './lab.js';
import { attackScene, macOf, SERVICE, SPA_DOOR, SPA_PORT } from './lab/attack.js';
import { eavesdrop, replayFrames } from './lab/eavesdrop.js';
import { COPY_WINDOW_MS } from '../../src/spa-server/recent-accepts.js';

const SECRET = '3ZqFh0mN1o6yJ0q7m1cPZ8zS9kTQ2XGgWmH2wqB0q3A=';
const SECRET_DOOR = [
  '[secret]',
  `    sequence_secret = ${SECRET}`,
  '    tcpflags        = syn',
  `    open            = tcp/${SERVICE}`,
  '',
].join('\n');

test('a recorded SPA packet replayed (spoofed as the client, from the client, from another address) is refused as a replay and opens nothing',
  { skip: labSkipReason(['nft', 'fwknop', 'tcpdump', 'python3']), timeout: 90_000 }, async (t) => {
    const s = await attackScene(t, { id: 'at6', clients: ['client', 'attacker'] });
    const { lab, daemon } = s;
    const client = s.ip('client');

    const recording = await eavesdrop(lab, ['udp', 'and', 'dst', 'port', String(SPA_PORT)], 1);
    let mark = daemon.mark();
    const sent = await s.fwknop('client');
    await s.spaAccepted('client', mark);
    await s.expectGrant('client', SPA_DOOR);
    const [packet] = await recording.packets;
    assert.ok(packet);
    assert.equal(packet.src, client);
    assert.equal(packet.payload.toString('latin1'), sent, 'tcpdump recorded the packet fwknop sent');
    await s.revoke('client');
    // Within 0.5 s of its acceptance a copy from the client's address is a `repeat` (a bridge's second
    // copy, src/spa-server/recent-accepts.ts), refused all the same; the replays below come later.
    await sleep(COPY_WINDOW_MS);

    // 1. The recorded frame from the attacker's interface, source address still the client's.
    mark = daemon.mark();
    const r = await replayFrames(lab, 'attacker', await macOf(lab, 'attacker', 'eth0'), [packet]);
    assert.equal(r.errors, 0, JSON.stringify(r));
    await s.spaRefused('client', 'replay', mark);
    await s.expectNoGrant('client');

    // 2. The same payload from the client's own socket.
    mark = daemon.mark();
    await s.sendUdp('client', packet.payload);
    await s.spaRefused('client', 'replay', mark);
    await s.expectNoGrant('client');

    // 3. From the attacker's own address.
    mark = daemon.mark();
    await s.sendUdp('attacker', packet.payload);
    await s.spaRefused('attacker', 'replay', mark);
    await s.expectNoGrant('attacker');

    const report = await s.status();
    assert.deepEqual(report.grants, []);
    // Exactly 3. The capture sees each frame twice behind the lab's bridge; a second copy of the
    // accepted packet that slips past the capture's duplicate filter (a loaded event loop) is a
    // `repeat` (src/spa-server/recent-accepts.ts), never a replay counted against the client.
    const replays = report.counters.spa?.refused.replay ?? 0;
    if (replays !== 3) t.diagnostic(`${replays} replays counted:\n${daemon.all(/refused \(replay\)|SPA packet accepted|opened tcp/).map((l) => `${l.at} ${l.text}`).join('\n')}`);
    assert.equal(replays, 3, daemon.output());
    assert.equal(report.counters.spa?.opens, 1, daemon.output());

    // The door still opens for a fresh packet.
    mark = daemon.mark();
    await s.fwknop('client');
    await s.spaAccepted('client', mark);
    await s.expectGrant('client', SPA_DOOR);
  });

test('a recorded replay-resistant knock sequence (sequence_secret) replayed (spoofed as the client, from another address, from the client) opens nothing',
  { skip: labSkipReason(['nft', 'tcpdump', 'python3']), timeout: 90_000 }, async (t) => {
    const s = await attackScene(t, { id: 'at8', clients: ['client', 'attacker'], doors: SECRET_DOOR });
    const { lab, daemon } = s;
    const client = s.ip('client');
    const knock = ['--door', 'secret', '--secret', SECRET];

    const recording = await eavesdrop(lab, ['src', 'host', client, 'and', 'tcp[tcpflags] & tcp-syn != 0'], 3);
    let mark = daemon.mark();
    await s.knock('client', knock, []);
    await daemon.waitForLine(new RegExp(`${escapeRegExp(client)}: secret: OPEN SESAME`), 10_000, mark);
    await s.expectGrant('client', 'secret');
    const syns = await recording.packets;
    const ports = syns.map((p) => p.dstPort);
    t.diagnostic(`recorded the sequence ${ports.join(',')}`);
    await s.revoke('client');
    const before = (await s.status()).counters;

    // 1. The recorded frames from the attacker's interface, source address still the client's.
    mark = daemon.mark();
    const r = await replayFrames(lab, 'attacker', await macOf(lab, 'attacker', 'eth0'), syns);
    assert.equal(r.errors, 0, JSON.stringify(r));
    await sleep(500);
    await s.expectNoGrant('client');
    // 2. The same ports from the attacker's own address, and 3. from the client again, as a plain knock.
    await s.knock('attacker', [], ports);
    await s.knock('client', [], ports);
    await sleep(500);
    await s.expectNoGrant('attacker');
    await s.expectNoGrant('client');
    assert.equal(daemon.find(/OPEN SESAME/, mark), undefined, `a replay opened the door\n${daemon.output()}`);
    const report = await s.status();
    const after = report.counters;
    assert.equal(after.opens, before.opens);
    assert.deepEqual(report.grants, []);
    // Used up: the replayed ports are decoys now, so each replay packet is a failure, not a step. The
    // client's address took six (three spoofed, three its own), past FailureLimit (5): banned. The
    // attacker's own address took three: failing, not yet banned.
    t.diagnostic(`after the replays: ${after.bans - before.bans} ban(s), ${report.sources.failing} failing source(s), ${report.sources.banned} banned`);
    assert.equal(after.bans - before.bans, 1, `the client's address was not banned\n${daemon.output()}`);
    assert.ok(report.sources.failing >= 1, `the attacker's replay counted as no failure: ${JSON.stringify(report.sources)}`);
  });
