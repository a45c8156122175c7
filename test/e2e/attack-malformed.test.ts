// Attack: malformed traffic at rate. Raw Ethernet frames from the attacker's
// namespace (an AF_PACKET socket, so its own kernel fixes nothing), from
// random sources, aimed at the knock ports and the SPA port: runts,
// truncated and lying IPv4, TCP, UDP and IPv6 headers, bad IHL and data
// offsets, IP and TCP options, first and later fragments, stacked VLAN tags,
// long IPv6 extension chains, random bytes, and SPA payloads of every wrong
// kind (lab/malformed.ts lists them). Then UDP datagrams of up to 65,507
// bytes from the attacker's own socket, which its kernel fragments, to the
// captured SPA port and to a second SPA door that reads from a bound socket
// (which gets them reassembled). Bounded in frames and seconds. Pass: the
// daemon lives, its RSS stays within MEMORY_MARGIN_MB of the warmed-up
// figure, its counters show the SPA junk refused by reason (too-short,
// not-base64, gpg, prefixed, bad-hmac, too-long through the socket), and a
// legitimate knock and a legitimate SPA packet still open afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, sleep } from './lab.js';
import { attackScene, KNOCK_DOOR, KNOCK_PORTS, SPA_DOOR, SPA_PORT, macOf, socketSpaDoor } from './lab/attack.js';
import { mb, sampleRss, MEMORY_MARGIN_MB } from './lab/memory.js';
import { Rng } from './lab/frames.js';
import { sendFrames, sendOversized } from './lab/frame-sender.js';
import { MALFORMED, malformedPool } from './lab/malformed.js';

const skip = labSkipReason(['nft', 'fwknop', 'python3']);
const FRAMES = 60_000;
const RATE = 6000;
const SECONDS = 12;
const OVERSIZED = 100; // per SPA port
const SOCKET_PORT = SPA_PORT + 1;
const SOCKET_DOOR = socketSpaDoor(SOCKET_PORT);

test(`${FRAMES} malformed frames (${Object.keys(MALFORMED).length} kinds) and oversized SPA datagrams: no crash, memory within ${MEMORY_MARGIN_MB} MB of idle, junk counted by reason, a legitimate knock and SPA packet still open`,
  { skip, timeout: 120_000 }, async (t) => {
    // SPA_Rate_Limit off: the kernel's per-source limit on the SPA ports (default 20/s) would drop most of
    // the attacker's oversized datagrams before the bound socket sees them (that limit: bans.test.ts).
    const s = await attackScene(t, { id: 'at7', clients: ['knocker', 'spa', 'attacker'], doors: SOCKET_DOOR, options: ['SPA_Rate_Limit = off'] });
    const { lab, daemon } = s;
    await daemon.waitForLine(new RegExp(`SPA: listening on udp/${SOCKET_PORT}`), 10_000);
    const idle = await s.warmUp('knocker', 'spa');
    const before = (await s.status()).counters;

    const seed = Date.now() & 0xffffffff;
    const rng = new Rng(seed);
    const link = { dstMac: await macOf(lab, 'server', lab.server.iface), srcMac: await macOf(lab, 'attacker', 'eth0'), dst: lab.server.ip4 };
    const pool = malformedPool(link, rng, { knockPorts: KNOCK_PORTS, spaPort: SPA_PORT, dst6: lab.server.ip6 }, 4000);
    t.diagnostic(`pool seed ${seed} (lab/malformed.ts, new Rng(seed))`);

    const rss = sampleRss(s.daemon, idle.rssKb);
    const started = Date.now();
    const [frames, pcapOversized, socketOversized] = await Promise.all([
      sendFrames(lab, 'attacker', pool, { count: FRAMES, seconds: SECONDS, rate: RATE }),
      sendOversized(lab, 'attacker', SPA_PORT, OVERSIZED, seed),
      sendOversized(lab, 'attacker', SOCKET_PORT, OVERSIZED, seed + 1),
    ]);
    const ms = Date.now() - started;
    await sleep(1000);
    const peakRssKb = await rss.stop();
    assert.ok(daemon.running, `the daemon died\n${daemon.output()}`);
    const after = s.memory();
    const report = await s.status();
    const c = report.counters;
    const refused = (reason: string) => (c.spa?.refused[reason] ?? 0) - (before.spa?.refused[reason] ?? 0);

    t.diagnostic(`sent ${frames.sent} raw frames (${frames.errors} refused by the sender's kernel: ${JSON.stringify(frames.why)}) and ${pcapOversized.sent} + ${socketOversized.sent} datagrams of up to 65,507 bytes in ${(ms / 1000).toFixed(1)} s`);
    t.diagnostic(`daemon decoded ${c.packets - before.packets} packets, ${(c.spa?.packets ?? 0) - (before.spa?.packets ?? 0)} SPA datagrams; refused: ${Object.keys(c.spa?.refused ?? {}).filter((k) => refused(k) > 0).map((k) => `${k} ${refused(k)}`).join(', ')}; ignored ${JSON.stringify(c.ignored)}`);
    t.diagnostic(`memory: idle RSS ${mb(idle.rssKb)}, peak ${mb(peakRssKb)}, after ${mb(after.rssKb)}, HWM ${mb(after.hwmKb)}; bound ${mb(idle.rssKb + MEMORY_MARGIN_MB * 1024)}`);

    assert.ok(frames.sent >= FRAMES / 2, `only ${frames.sent} frames went out in ${SECONDS} s`);
    for (const reason of ['too-short', 'not-base64', 'gpg', 'prefixed', 'bad-hmac']) assert.ok(refused(reason) > 0, `nothing refused as ${reason}`);
    // The bound socket gets the datagrams reassembled: 1,473 bytes and more are too long for SPA. (The
    // capture sees the first fragment, and here, behind the lab's bridge, the reassembled datagram too.)
    assert.ok(refused('too-long') >= OVERSIZED * 0.9, `${refused('too-long')} of ${OVERSIZED} oversized datagrams refused as too-long`);
    assert.equal(c.opens, before.opens, 'no junk opened a door');
    assert.equal(c.spa?.opens, before.spa?.opens);
    const bound = idle.rssKb + MEMORY_MARGIN_MB * 1024;
    assert.ok(peakRssKb <= bound, `RSS reached ${mb(peakRssKb)}, above ${mb(bound)}`);
    assert.ok(after.hwmKb <= bound, `VmHWM ${mb(after.hwmKb)}, above ${mb(bound)}`);

    const mark = daemon.mark();
    await s.knock('knocker');
    await s.knockOpened('knocker', mark);
    await s.expectGrant('knocker', KNOCK_DOOR);
    await s.fwknop('spa');
    await s.spaAccepted('spa', mark);
    await s.expectGrant('spa', SPA_DOOR);
  });
