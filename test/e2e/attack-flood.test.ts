// Attack: floods. A spoofed-source SYN flood on all three knock ports
// (hping3 --rand-source, one process per port) and, at the same time, a
// spoofed-source UDP flood of junk SPA payloads on the SPA port (raw frames
// from random sources: base64 with a made-up HMAC, packets encrypted with the
// right key but a wrong HMAC key, random bytes, too short, GPG-sized,
// prefixed). Both bounded in packets and seconds. Meanwhile a legitimate
// knocker (`portcullis knock`) and a legitimate SPA client (the real fwknop)
// each open the door several times; after each success the grant is revoked,
// so every attempt must open it anew. Pass: every legitimate attempt opens
// (a grant in the status report and a real connection to tcp/22), the
// daemon lives, and its memory stays under a fixed bound: peak RSS during the
// flood and VmHWM at the end at most MEMORY_MARGIN_MB above the RSS measured
// after warm-up (which already holds the preallocated tables and the
// capture ring). Figures go to the test's diagnostics (docs/security.md).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, formatResult, sleep } from './lab.js';
import { attackScene, KNOCK_PORTS, KNOCK_DOOR, SPA_DOOR, SPA_PORT, macOf } from './lab/attack.js';
import { mb, sampleRss, MEMORY_MARGIN_MB } from './lab/memory.js';
import { frame4, Rng, spoofedUdp, udp, UDP } from './lab/frames.js';
import { sendFrames } from './lab/frame-sender.js';
import { JUNK_KINDS, JUNK_REASON, junkPayload } from './lab/spa-junk.js';

const skip = labSkipReason(['nft', 'hping3', 'fwknop', 'python3']);

const SYN_PER_PORT = 30_000; // at most; hping3 -i u300: ≤ 3,300/s per port
const UDP_FRAMES = 40_000; // at most, paced to UDP_RATE for at most FLOOD_SECONDS
const UDP_RATE = 4000;
const FLOOD_SECONDS = 12;
const ATTEMPTS = 3;

interface Attempt {
  readonly who: string;
  readonly ms: number;
  readonly duringFlood: boolean;
}

test(`a spoofed SYN flood on the knock ports and a spoofed UDP flood on the SPA port: all ${ATTEMPTS} legitimate knocks and ${ATTEMPTS} SPA packets open, memory stays within ${MEMORY_MARGIN_MB} MB of idle`,
  { skip, timeout: 150_000 }, async (t: TestContext) => {
    const s = await attackScene(t, { id: 'at1', clients: ['knocker', 'spa', 'flooder'] });
    const { lab, daemon } = s;

    const idle = await s.warmUp('knocker', 'spa');
    const before = await s.status();

    const rng = new Rng(Date.now() & 0xffffffff);
    const link = { dstMac: await macOf(lab, 'server', lab.server.iface), srcMac: await macOf(lab, 'flooder', 'eth0'), dst: lab.server.ip4 };
    // One frame per datagram: every source is new, so no ban (SPA failures count towards FailureLimit) sheds the load.
    const pool = Array.from({ length: UDP_FRAMES }, (_, i) => spoofedUdp(link, rng, SPA_PORT, junkPayload(rng, JUNK_KINDS[i % JUNK_KINDS.length]!)));

    const FLOODS = KNOCK_PORTS.length + 1;
    let flooding = FLOODS;
    const ended = <T>(p: Promise<T>): Promise<T> => p.finally(() => flooding--);
    const started = Date.now();
    const syn = KNOCK_PORTS.map((port) => ended(lab.exec('flooder', [
      'hping3', '-q', '-S', '--rand-source', '-p', String(port), '-i', 'u300', '--count', String(SYN_PER_PORT), lab.server.ip4,
    ], { timeoutMs: 90_000 })));
    const udp = ended(sendFrames(lab, 'flooder', pool, { count: UDP_FRAMES, seconds: FLOOD_SECONDS, rate: UDP_RATE }));
    const rss = sampleRss(s.daemon, idle.rssKb);
    await sleep(1000); // both floods are at full rate by now

    const attempts: Attempt[] = [];
    const legit = async (who: 'knocker' | 'spa'): Promise<void> => {
      for (let i = 0; i < ATTEMPTS; i++) {
        const since = daemon.mark();
        const t0 = Date.now();
        const duringFlood = flooding === FLOODS;
        if (who === 'knocker') {
          await s.knock('knocker');
          await s.knockOpened('knocker', since, 15_000);
        } else {
          await s.fwknop('spa');
          await s.spaAccepted('spa', since, 15_000);
        }
        await s.expectGrant(who, who === 'knocker' ? KNOCK_DOOR : SPA_DOOR);
        attempts.push({ who, ms: Date.now() - t0, duringFlood });
        await s.revoke(who);
      }
    };
    await Promise.all([legit('knocker'), legit('spa')]);

    const synResults = await Promise.all(syn);
    const udpResult = await udp;
    const floodMs = Date.now() - started;
    const peakRssKb = await rss.stop();
    assert.ok(daemon.running, `the daemon died under the flood\n${daemon.output()}`);
    await sleep(500);
    const after = s.memory();
    const report = await s.status();

    let synSent = 0;
    for (const r of synResults) {
      const m = /(\d+) packets transmitted/.exec(r.stdout + r.stderr);
      assert.ok(m, `hping3 did not finish: ${formatResult(r)}`);
      synSent += Number(m[1]);
    }
    const c = report.counters;
    const spaRefused = Object.entries(c.spa?.refused ?? {}).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n - (before.counters.spa?.refused[k] ?? 0)}`);
    t.diagnostic(`flood: ${synSent} spoofed SYNs on ${KNOCK_PORTS.join(',')} + ${udpResult.sent} spoofed SPA datagrams (${udpResult.errors} refused by the sender's kernel) in ${(floodMs / 1000).toFixed(1)} s`);
    t.diagnostic(`daemon saw ${c.packets - before.counters.packets} packets, ${(c.spa?.packets ?? 0) - (before.counters.spa?.packets ?? 0)} SPA datagrams; refused: ${spaRefused.join(', ')}; attempts evicted ${c.evictions - before.counters.evictions}, in flight ${report.attempts.inFlight}/${report.attempts.max}; ignored ${JSON.stringify(c.ignored)}`);
    t.diagnostic(`legitimate: ${attempts.map((a) => `${a.who} ${a.ms} ms${a.duringFlood ? '' : ' (after a flood ended)'}`).join(', ')}`);
    t.diagnostic(`memory: idle RSS ${mb(idle.rssKb)} (HWM ${mb(idle.hwmKb)}), peak RSS during the flood ${mb(peakRssKb)}, after ${mb(after.rssKb)}, HWM ${mb(after.hwmKb)}; bound ${mb(idle.rssKb + MEMORY_MARGIN_MB * 1024)}`);

    assert.equal(attempts.length, 2 * ATTEMPTS);
    for (const who of ['knocker', 'spa']) {
      assert.ok(attempts.some((a) => a.who === who && a.duringFlood), `no ${who} attempt was made while every flood ran: ${JSON.stringify(attempts)}`);
    }
    // The junk reached the gate and was refused for the reasons its kinds were made for.
    for (const kind of JUNK_KINDS) {
      const reason = JUNK_REASON[kind];
      assert.ok((c.spa?.refused[reason] ?? 0) > (before.counters.spa?.refused[reason] ?? 0), `no SPA packet refused as ${reason} (${kind})`);
    }
    const bound = idle.rssKb + MEMORY_MARGIN_MB * 1024;
    assert.ok(peakRssKb <= bound, `RSS reached ${mb(peakRssKb)}, above ${mb(bound)}`);
    assert.ok(after.hwmKb <= bound, `VmHWM ${mb(after.hwmKb)}, above ${mb(bound)}`);
  });

// The ban mechanism as the target: spoofed sources that each fail often
// enough to be banned, so the daemon's ban table and the kernel's ban set
// (nftables `banned4`) fill with thousands of entries. Bounded: 8,000
// sources × 6 wrong-HMAC packets = 48,000 frames at 4,000/s, 15 s at most.
// Pass: nearly every source is banned (daemon and kernel), the ban log lines
// stay rate-limited, memory stays within the bound, and the legitimate SPA
// client and knocker, never among the banned, still open.
const BAN_SOURCES = 8000;
const BAN_ROUNDS = 6; // FailureLimit is 5

test(`a ban flood (${BAN_SOURCES} spoofed sources, each refused ${BAN_ROUNDS} times): they are banned in the daemon and the kernel, log lines stay rate-limited, the legitimate clients still open`,
  { skip, timeout: 120_000 }, async (t: TestContext) => {
    const s = await attackScene(t, { id: 'at9', clients: ['knocker', 'spa', 'flooder'] });
    const { lab, daemon } = s;
    const rng = new Rng(Date.now() & 0xffffffff);
    const link = { dstMac: await macOf(lab, 'server', lab.server.iface), srcMac: await macOf(lab, 'flooder', 'eth0'), dst: lab.server.ip4 };
    const sources = Array.from({ length: BAN_SOURCES }, () => rng.ip4());
    const frames: Buffer[] = [];
    for (let round = 0; round < BAN_ROUNDS; round++) {
      for (const src of sources) frames.push(frame4(link, src, UDP, udp(rng.int(1024, 65535), SPA_PORT, junkPayload(rng, 'b64-hmac'))));
    }
    const idle = await s.warmUp('knocker', 'spa');
    const rss = sampleRss(s.daemon, idle.rssKb);
    const mark = daemon.mark();
    const sent = await sendFrames(lab, 'flooder', frames, { count: frames.length, seconds: 15, rate: 4000 });
    await sleep(1000);

    const report = await s.status();
    const kernel = await lab.mustExec('server', ['nft', '-j', 'list', 'set', 'inet', 'portcullis', 'banned4']);
    const banned4 = new Set(kernel.stdout.match(/\d+\.\d+\.\d+\.\d+/g) ?? []);
    const inKernel = sources.filter((a) => banned4.has(a)).length;
    const banLines = daemon.all(/ignoring this source for/, mark).length;
    t.diagnostic(`sent ${sent.sent} frames in ${sent.seconds} s; daemon: ${report.sources.banned} banned, ${report.counters.spa?.refused['bad-hmac']} refused as bad-hmac, ${report.counters.ignored.banned} ignored as banned; kernel set banned4: ${inKernel} of the sources; ${banLines} ban log lines`);
    assert.ok(report.sources.banned >= BAN_SOURCES * 0.95, `only ${report.sources.banned} of ${BAN_SOURCES} sources banned`);
    assert.ok(inKernel >= BAN_SOURCES * 0.95, `only ${inKernel} of ${BAN_SOURCES} sources in the kernel's ban set`);
    assert.ok(banLines < BAN_SOURCES / 10, `${banLines} ban log lines: not rate-limited`);

    const legit = daemon.mark();
    await s.fwknop('spa');
    await s.spaAccepted('spa', legit);
    await s.expectGrant('spa', SPA_DOOR);
    await s.knock('knocker');
    await s.knockOpened('knocker', legit);
    await s.expectGrant('knocker', KNOCK_DOOR);
    const peakRssKb = await rss.stop();
    const after = s.memory();
    t.diagnostic(`memory: idle RSS ${mb(idle.rssKb)}, peak ${mb(peakRssKb)}, HWM ${mb(after.hwmKb)}; bound ${mb(idle.rssKb + MEMORY_MARGIN_MB * 1024)}`);
    const bound = idle.rssKb + MEMORY_MARGIN_MB * 1024;
    assert.ok(peakRssKb <= bound, `RSS reached ${mb(peakRssKb)}, above ${mb(bound)}`);
    assert.ok(after.hwmKb <= bound, `VmHWM ${mb(after.hwmKb)}, above ${mb(bound)}`);
  });
