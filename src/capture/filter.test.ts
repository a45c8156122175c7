import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildCaptureFilter, flagMask, MATCH_NOTHING, type FilterInput } from './filter.js';
import { compileFilter, framesPassing, PCAP_LINKTYPE, tcpdumpMissing } from './testing.js';
import { DEFAULTS, TCP_FLAG_BITS, type Door, type Step, type TcpFlagRule } from '../config/model.js';
import { decodeFrame } from '../packet/decode.js';
import type { Packet } from '../packet/packet.js';
import type { LinkType } from '../packet/link.js';
import { frame, icmpMessage, ipv4, ipv6, tcpSegment, udpDatagram } from '../packet/testing.js';
import { spaTestDoor } from '../spa-server/testing.js';

function door(name: string, sequence: string, extra: Partial<Door> = {}): Door {
  const steps: Step[] = sequence.split(',').map((s) => {
    const [port, proto] = s.split(':');
    if (port === 'icmp') return { proto: 'icmp', port: 0 };
    return { proto: proto === 'udp' ? 'udp' : 'tcp', port: Number(port) };
  });
  return {
    name, line: 1, sequence: steps, seqTimeoutMs: DEFAULTS.seqTimeoutMs, knockMinGapMs: 0, knockMaxGapMs: 0, cmdTimeoutMs: DEFAULTS.cmdTimeoutMs,
    tcpFlags: [], allow: [], allowDuplicates: false, cooldownMs: 0, open: [], forwards: [], openTimeoutMs: DEFAULTS.openTimeoutMs, revokes: [], ...extra,
  };
}

function secretSpec(proto: 'tcp' | 'udp', from: number, to: number): NonNullable<Door['sequenceSecret']> {
  return { secret: new Uint8Array(16), length: 3, windowSeconds: 30, ports: { from, to }, proto };
}

function flags(text: string): TcpFlagRule[] {
  return text.split(',').map((f) => ({ flag: f.replace('!', '') as TcpFlagRule['flag'], set: !f.startsWith('!') }));
}

function input(extra: Partial<FilterInput>): FilterInput {
  return {
    doors: [], localAddresses: { v4: ['127.0.0.1'], v6: ['::1'] }, ipv4Only: false,
    decoys: 'none', servedTcp: [], servedUdp: [], ...extra,
  };
}

const CONFIGS: Record<string, FilterInput> = {
  'knockd example (syn)': input({ doors: [door('ssh', '7000,8000,9000', { tcpFlags: flags('syn') })] }),
  'mixed protocols, syn,!ack, icmp': input({
    doors: [door('a', '3333,2222:udp,4444:udp', { tcpFlags: flags('syn,!ack') }), door('b', '7000,icmp,7001')],
  }),
  'ipv4 only with a target': input({
    ipv4Only: true,
    doors: [door('wol', '7000,8000', { target: '192.0.2.50' }), door('v6', '9000', { target: '2001:db8::9' }), door('local', '1111:udp')],
  }),
  'no local addresses (any)': input({ localAddresses: { v4: [], v6: [] }, doors: [door('a', '7000,8000:udp', { tcpFlags: flags('fin,urg,psh') })] }),
  'no local addresses, ipv4 only': input({ ipv4Only: true, localAddresses: { v4: [], v6: [] }, doors: [door('a', '7000,icmp')] }),
  'explicit decoys': input({
    doors: [door('a', '7000,8000', { tcpFlags: flags('syn') })],
    decoys: { tcp: [{ from: 7001, to: 7999 }, { from: 8001, to: 8001 }, { from: 8002, to: 8002 }], udp: [{ from: 7000, to: 7000 }] },
  }),
  'all unserved': input({
    doors: [door('a', '7000,8000:udp,9000', { tcpFlags: flags('syn') }), door('t', '1234', { target: '192.0.2.7' })],
    decoys: 'all-unserved', servedTcp: [22, 80, 443, 8080, 8081, 8082, 22], servedUdp: [53, 123], ephemeralUdp: { from: 32768, to: 60999 },
  }),
  'SPA doors, all unserved': input({
    doors: [door('a', '7000', { tcpFlags: flags('syn') }), spaTestDoor('spa'), spaTestDoor('sock', { port: 5000, listen: 'socket' })],
    decoys: 'all-unserved', servedTcp: [22], servedUdp: [53], ephemeralUdp: { from: 32768, to: 60999 },
  }),
  'sequence_secret doors (port ranges)': input({
    doors: [
      door('s', '7000', { sequence: [], sequenceSecret: secretSpec('tcp', 8000, 9000), tcpFlags: flags('!ack') }),
      door('sf', '7000', { sequence: [], sequenceSecret: secretSpec('tcp', 1, 22), tcpFlags: flags('syn,!ack') }),
      door('u', '7000', { sequence: [], sequenceSecret: secretSpec('udp', 32767, 40000), target: '192.0.2.7' }),
    ],
  }),
  'many addresses and doors': input({
    localAddresses: { v4: ['192.0.2.2', '10.0.0.1', '192.0.2.2'], v6: ['fd00::2', 'fe80::fc:ff:fe00:1', 'FD00:0::2'] },
    doors: Array.from({ length: 20 }, (_, i) => door(`d${i}`, `${1000 + i},${2000 + i}:udp,${3000 + i}`, { tcpFlags: i % 2 ? flags('syn') : [] })),
  }),
};

test('the knockd example filter reads like knockd\'s', () => {
  assert.equal(buildCaptureFilter(CONFIGS['knockd example (syn)']!),
    '(dst host 127.0.0.1 or dst host ::1) and ((tcp dst port 7000 or 8000 or 9000) and (tcp[tcpflags] & tcp-syn != 0 or (ip6[6] == 6 and ip6[53] & tcp-syn != 0)))');
});

test('ports are deduplicated and runs become portranges; flags become one mask test', () => {
  const f = buildCaptureFilter(input({ ipv4Only: true, doors: [door('a', '10,11,12,13,20,20,22:udp,21:udp', { tcpFlags: flags('syn,!ack,!rst') })] }));
  assert.equal(f, '(dst host 127.0.0.1) and (((tcp dst port 20 or tcp dst portrange 10-13) and (tcp[tcpflags] & (tcp-syn|tcp-rst|tcp-ack) == tcp-syn)) or (udp dst port 21 or 22))');
});

test('doors sharing flags share one term; unflagged ports are not repeated under flags', () => {
  const f = buildCaptureFilter(input({ ipv4Only: true, doors: [door('a', '1,2'), door('b', '2,3', { tcpFlags: flags('syn') }), door('c', '4', { tcpFlags: flags('syn') })] }));
  assert.equal(f, '(dst host 127.0.0.1) and ((tcp dst port 1 or 2) or ((tcp dst port 3 or 4) and (tcp[tcpflags] & tcp-syn != 0)))');
});

test('nothing to watch gives MATCH_NOTHING; contradictory flags drop the TCP steps', () => {
  assert.equal(buildCaptureFilter(input({})), MATCH_NOTHING);
  assert.equal(buildCaptureFilter(input({ doors: [door('a', '1', { tcpFlags: flags('syn,!syn') })] })), MATCH_NOTHING);
  assert.equal(flagMask(flags('syn,!syn')), undefined);
  assert.deepEqual(flagMask(flags('syn,syn,!ack')), { mask: TCP_FLAG_BITS.syn | TCP_FLAG_BITS.ack, value: TCP_FLAG_BITS.syn });
  assert.equal(buildCaptureFilter(input({ ipv4Only: true, localAddresses: { v4: [], v6: ['::1'] }, doors: [door('v6', '1', { target: '::2' })] })), MATCH_NOTHING);
});

test('SPA doors: a captured SPA port is a UDP term and never a decoy; a socket SPA port is neither', () => {
  const only = buildCaptureFilter(input({ ipv4Only: true, doors: [spaTestDoor('spa')] }));
  assert.equal(only, '(dst host 127.0.0.1) and (udp dst port 62201)');
  assert.equal(buildCaptureFilter(input({ ipv4Only: true, doors: [spaTestDoor('s', { listen: 'socket' })] })), MATCH_NOTHING);
  const mixed = buildCaptureFilter(input({ ipv4Only: true, doors: [door('k', '7000,8000:udp'), spaTestDoor('spa', { port: 5000 })] }));
  assert.equal(mixed, '(dst host 127.0.0.1) and ((tcp dst port 7000) or (udp dst port 5000 or 8000))');
  const auto = buildCaptureFilter(CONFIGS['SPA doors, all unserved']!);
  assert.match(auto, /udp dst port 62201\)/);
  assert.match(auto, /udp and not \(udp dst port 53 or 5000 or 62201 or udp dst portrange 32768-60999\)/, auto);
});

test('addresses are validated and canonical', () => {
  assert.throws(() => buildCaptureFilter(input({ doors: [door('a', '1', { target: 'example.com' })] })), { code: 'CAPTURE_BAD_ADDRESS' });
  assert.throws(() => buildCaptureFilter(input({ localAddresses: { v4: ['1.2.3'], v6: [] }, doors: [door('a', '1')] })), { code: 'CAPTURE_BAD_ADDRESS' });
  const f = buildCaptureFilter(input({ localAddresses: { v4: [], v6: ['FE80:0:0::1%eth0'] }, doors: [door('a', '1')] }));
  assert.equal(f, '(dst host fe80::1) and (tcp dst port 1)');
});

test('the same input always gives the same string', () => {
  for (const cfg of Object.values(CONFIGS)) assert.equal(buildCaptureFilter(cfg), buildCaptureFilter(structuredClone(cfg)));
});

const skip = tcpdumpMissing();

test('libpcap compiles every generated filter on every link type', { skip }, () => {
  for (const [name, cfg] of Object.entries(CONFIGS)) {
    const f = buildCaptureFilter(cfg);
    for (const linktype of Object.values(PCAP_LINKTYPE)) {
      assert.match(compileFilter(linktype, f), /ret/, `${name} on link ${linktype}`);
    }
  }
  assert.match(compileFilter(PCAP_LINKTYPE.ethernet, MATCH_NOTHING), /ret/);
});

test('libpcap compiles a filter on a live interface (tcpdump -d -i lo)', { skip: skip || (process.getuid?.() !== 0 && 'needs root') }, () => {
  const r = spawnSync('tcpdump', ['-d', '-i', 'lo', buildCaptureFilter(CONFIGS['all unserved']!)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('a large configuration stays far below the kernel\'s 4096-instruction BPF limit', { skip }, () => {
  const big = input({
    localAddresses: { v4: Array.from({ length: 10 }, (_, i) => `192.0.2.${i + 1}`), v6: Array.from({ length: 10 }, (_, i) => `fd00::${i + 1}`) },
    doors: Array.from({ length: 50 }, (_, i) => door(`d${i}`, `${1000 + i},${2000 + i}:udp,${3000 + i}`, { tcpFlags: i % 2 ? flags('syn,!ack') : [] })),
    decoys: 'all-unserved',
    servedTcp: Array.from({ length: 200 }, (_, i) => 5000 + i * 7),
    servedUdp: Array.from({ length: 200 }, (_, i) => 6000 + i * 7),
    ephemeralUdp: { from: 32768, to: 60999 },
  });
  const instructions = compileFilter(PCAP_LINKTYPE.ethernet, buildCaptureFilter(big)).trim().split('\n').length;
  assert.ok(instructions < 2000, `${instructions} instructions`);
});

// What the filter must let through, written straight from FilterInput's meaning.
function relevant(cfg: FilterInput, p: Packet): boolean {
  if (cfg.ipv4Only && p.family === 6) return false;
  const local = [...cfg.localAddresses.v4, ...cfg.localAddresses.v6];
  const forDoor = (d: Door) => (d.target !== undefined ? d.target === p.dst : local.length === 0 || local.includes(p.dst));
  const doors = cfg.doors.filter(forDoor);
  if (doors.length === 0) return false;
  const flagsOk = (d: Door) => d.tcpFlags.every((r) => ((p.tcpFlags & TCP_FLAG_BITS[r.flag]) !== 0) === r.set);
  const knock = doors.some((d) => d.sequence.some((s) => s.proto === p.proto && (s.proto === 'icmp' || s.port === p.dstPort) && (p.proto !== 'tcp' || flagsOk(d))));
  if (knock) return true;
  const derived = doors.some((d) => d.sequenceSecret?.proto === p.proto && p.dstPort >= d.sequenceSecret.ports.from && p.dstPort <= d.sequenceSecret.ports.to && (p.proto !== 'tcp' || flagsOk(d)));
  if (derived) return true;
  const decoys = cfg.decoys;
  if (decoys === 'none' || p.proto === 'icmp') return false;
  if (p.proto === 'tcp' && (p.tcpFlags & TCP_FLAG_BITS.ack) !== 0) return false;
  const inRanges = (rs: readonly { from: number; to: number }[]) => rs.some((r) => p.dstPort >= r.from && p.dstPort <= r.to);
  if (decoys !== 'all-unserved') return inRanges(p.proto === 'tcp' ? decoys.tcp : decoys.udp);
  const steps = cfg.doors.flatMap((d) => d.sequence).filter((s) => s.proto === p.proto).map((s) => s.port);
  const served = p.proto === 'tcp' ? cfg.servedTcp : cfg.servedUdp;
  if (steps.includes(p.dstPort) || served.includes(p.dstPort)) return false;
  return !(p.proto === 'udp' && cfg.ephemeralUdp && inRanges([cfg.ephemeralUdp]));
}

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Packets aimed at the interesting ports, flags and addresses of every config, each with a unique source port. */
function traffic(link: LinkType, seed: number, count: number): { frames: Uint8Array[]; packets: Packet[] } {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const dsts = ['127.0.0.1', '::1', '192.0.2.2', '10.0.0.1', 'fd00::2', 'fe80::fc:ff:fe00:1', '192.0.2.50', '192.0.2.7', '2001:db8::9', '198.51.100.1', '2001:db8::77'];
  const ports = [1, 2, 3, 4, 10, 13, 14, 20, 21, 22, 53, 80, 123, 443, 1000, 1001, 1234, 1111, 2000, 2001, 3000, 3019, 3333, 2222, 4444,
    7000, 7001, 7500, 7999, 8000, 8001, 8002, 8003, 8080, 8082, 9000, 9001, 32767, 32768, 40000, 60999, 61000, 65535];
  const flagSets = [0x02, 0x12, 0x10, 0x01, 0x04, 0x00, 0x18, 0x29, 0x03, 0x22, 0x06, 0x3f];
  const frames: Uint8Array[] = [];
  const packets: Packet[] = [];
  for (let i = 0; i < count; i++) {
    const dst = pick(dsts);
    const v6 = dst.includes(':');
    const src = v6 ? '2001:db8:ffff::1' : '203.0.113.9';
    const sport = 1024 + i;
    const kind = rand();
    let body: Uint8Array;
    let proto: number;
    if (kind < 0.5) { proto = 6; body = tcpSegment(sport, pick(ports), pick(flagSets)); }
    else if (kind < 0.9) { proto = 17; body = udpDatagram(sport, pick(ports), 'x'); }
    else {
      proto = v6 ? 58 : 1;
      // Echo requests and replies; the source port slot (identifier) keeps frames unique.
      body = icmpMessage(v6, `${sport}`, rand() < 0.7 ? (v6 ? 128 : 8) : (v6 ? 129 : 0));
    }
    const f = frame(link, v6 ? ipv6(src, dst, proto, body) : ipv4(src, dst, proto, body));
    frames.push(f);
    packets.push(decodeFrame(link, f) ?? { family: v6 ? 6 : 4, src, dst, proto: 'icmp', srcPort: -1, dstPort: -1, tcpFlags: 0, payload: new Uint8Array() });
  }
  return { frames, packets };
}

test('libpcap lets through exactly the relevant packets (Ethernet, SLL, SLL2, raw)', { skip }, () => {
  const links: [LinkType, number][] = [['ethernet', PCAP_LINKTYPE.ethernet], ['sll', PCAP_LINKTYPE.sll], ['sll2', PCAP_LINKTYPE.sll2], ['raw', PCAP_LINKTYPE.raw]];
  let seed = 1;
  for (const [link, linktype] of links) {
    const { frames, packets } = traffic(link, seed++, 3000);
    for (const [name, cfg] of Object.entries(CONFIGS)) {
      const passed = new Set(framesPassing(linktype, frames, buildCaptureFilter(cfg)));
      let expected = 0;
      packets.forEach((p, i) => {
        // Echo replies decode to the placeholder (srcPort -1): never relevant.
        const want = p.srcPort >= 0 && relevant(cfg, p);
        if (want) expected++;
        assert.equal(passed.has(i), want, `${name} on ${link}: ${JSON.stringify({ ...p, payload: undefined })}`);
      });
      assert.ok(expected > 0, `${name}: the traffic should include relevant packets`);
    }
  }
});
