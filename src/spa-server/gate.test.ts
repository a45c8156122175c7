import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr } from '../config/cidr.js';
import type { Door } from '../config/model.js';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { MessageType } from '../spa/types.js';
import { SpaGate, type GateOutcome, type SpaDatagram } from './gate.js';
import { ReplayStore } from './replay-cache.js';
import { spaPacket, spaTestDoor } from './testing.js';

const NOW = 1_700_000_000_000;
const CLIENT = '192.0.2.10';

function gate(doors: Door[] = [spaTestDoor()], maxAgeMs = 120_000) {
  const replay = new ReplayStore({ store: new MemoryFileStore(), path: '/state/spa-replay.json', log: new MemoryLogger() });
  return { gate: new SpaGate(doors, maxAgeMs, replay), replay };
}

function dgram(payload: Uint8Array, src = CLIENT, extra: Partial<SpaDatagram> = {}): SpaDatagram {
  return { payload, src, family: src.includes(':') ? 6 : 4, port: 62201, via: 'pcap', ...extra };
}

function reason(o: GateOutcome): string {
  return o.kind === 'reject' ? o.reason : o.kind;
}

test('a packet from the client for tcp/22 opens tcp/22 for its address, for fw_access_timeout', () => {
  const { gate: g } = gate();
  const o = g.check(dgram(spaPacket({ at: NOW })), NOW);
  assert.equal(o.kind, 'open', JSON.stringify(o));
  if (o.kind !== 'open') return;
  assert.equal(o.door.name, 'spa');
  assert.equal(o.address, CLIENT);
  assert.equal(o.family, 4);
  assert.deepEqual(o.services, [{ proto: 'tcp', port: 22 }]);
  assert.equal(o.timeoutMs, 30_000);
  assert.equal(o.username, 'root');
});

test('replay: the same packet again is refused before any crypto, also after a refusal by policy (the digest is burned)', () => {
  const { gate: g, replay } = gate();
  const p = spaPacket({ at: NOW });
  assert.equal(reason(g.check(dgram(p), NOW)), 'open');
  assert.equal(reason(g.check(dgram(p), NOW + 40)), 'repeat', 'a second copy from the client itself (a bridge): refused, not a replay');
  assert.equal(reason(g.check(dgram(p), NOW + 3000)), 'replay');
  assert.equal(reason(g.check(dgram(p, '198.51.100.9'), NOW + 1000)), 'replay', 'from another source too');
  // Refused for age, port, source address: burned all the same (fwknopd adds the digest after decrypting).
  for (const [packet, why] of [
    [spaPacket({ at: NOW - 300_000 }), 'stale'],
    [spaPacket({ at: NOW, access: [{ proto: 'tcp', port: 23 }] }), 'port-not-allowed'],
    [spaPacket({ at: NOW, allowIp: '0.0.0.0' }), 'source-required'],
  ] as const) {
    assert.equal(reason(g.check(dgram(packet), NOW)), why);
    assert.equal(reason(g.check(dgram(packet, '198.51.100.9'), NOW)), 'replay', `${why}, then replayed`);
  }
  assert.equal(replay.cache.size, 4);
  // A packet that did not authenticate is not burned: it says the same every time.
  const wrongHmac = spaPacket({ at: NOW, hmac: new Uint8Array(32).fill(7) });
  assert.equal(reason(g.check(dgram(wrongHmac), NOW)), 'bad-hmac');
  assert.equal(reason(g.check(dgram(wrongHmac), NOW)), 'bad-hmac');
  assert.equal(replay.cache.size, 4);
});

test('stale: more than max_spa_packet_age from now, in the past or the future; within it either way is fine', () => {
  const { gate: g } = gate();
  const check = (offsetMs: number) => reason(g.check(dgram(spaPacket({ at: NOW + offsetMs })), NOW));
  assert.equal(check(-121_000), 'stale');
  assert.equal(check(+121_000), 'stale');
  assert.equal(check(-300_000), 'stale');
  assert.equal(check(-119_000), 'open');
  assert.equal(check(+100_000), 'open');
  const o = g.check(dgram(spaPacket({ at: NOW - 300_000 })), NOW);
  assert.equal(o.kind === 'reject' && o.detail, 'timestamp 300 s in the past (max_spa_packet_age 120 s)');
  const { gate: short } = gate([spaTestDoor()], 10_000);
  assert.equal(reason(short.check(dgram(spaPacket({ at: NOW - 11_000 })), NOW)), 'stale', 'max_spa_packet_age applies');
});

test('wrong keys: a wrong HMAC key, no HMAC, a wrong encryption key, an HMAC-less door given an HMAC', () => {
  const { gate: g } = gate();
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, hmac: new Uint8Array(64).fill(1) })), NOW)), 'bad-hmac');
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, hmac: null })), NOW)), 'bad-hmac', 'HMAC is mandatory once the door has an HMAC key');
  const wrongKey = g.check(dgram(spaPacket({ at: NOW, key: new Uint8Array(32).fill(9) })), NOW);
  assert.ok(wrongKey.kind === 'reject' && ['decrypt-failed', 'bad-digest'].includes(wrongKey.reason), JSON.stringify(wrongKey));
  const { gate: plain } = gate([spaTestDoor('plain', { hmacKey: undefined })]);
  assert.equal(reason(plain.check(dgram(spaPacket({ at: NOW, hmac: null })), NOW)), 'open', 'no HMAC on either side (fwknop without --use-hmac)');
  assert.notEqual(reason(plain.check(dgram(spaPacket({ at: NOW })), NOW)), 'open');
});

test('precheck: size, characters, a restored prefix and GPG are refused before anything else', () => {
  const { gate: g } = gate([spaTestDoor('spa', { source: [parseCidr('203.0.113.0/24')] })]);
  const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
  assert.equal(reason(g.check(dgram(text('hello')), NOW)), 'too-short');
  assert.equal(reason(g.check(dgram(text('A'.repeat(1501))), NOW)), 'too-long');
  assert.equal(reason(g.check(dgram(text(`${'A'.repeat(150)}!`)), NOW)), 'not-base64');
  assert.equal(reason(g.check(dgram(text(`U2FsdGVkX1${'A'.repeat(200)}`)), NOW)), 'prefixed');
  assert.equal(reason(g.check(dgram(text('A'.repeat(500))), NOW)), 'gpg');
  // Then the source networks, still before any crypto: 150 base64 characters from a stranger.
  assert.equal(reason(g.check(dgram(text('A'.repeat(150))), NOW)), 'source-not-allowed');
});

test('source networks: only packets from `source` are tried; the others are refused before the replay check and any key', () => {
  const door = spaTestDoor('spa', { source: [parseCidr('192.0.2.0/24'), parseCidr('2001:db8::/32')] });
  const { gate: g } = gate([door]);
  const p = spaPacket({ at: NOW, allowIp: '198.51.100.9' });
  assert.equal(reason(g.check(dgram(p, '198.51.100.9'), NOW)), 'source-not-allowed');
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW })), NOW)), 'open');
  assert.equal(reason(g.check(dgram(p, '198.51.100.9'), NOW)), 'source-not-allowed', 'not burned: it was never tried');
});

test('require_source_address = yes: the message\'s IP must be the packet\'s source; 0.0.0.0 (fwknop -s) is refused', () => {
  const { gate: g } = gate();
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, allowIp: '0.0.0.0' })), NOW)), 'source-required');
  const other = g.check(dgram(spaPacket({ at: NOW, allowIp: '192.0.2.99' })), NOW);
  assert.equal(reason(other), 'source-mismatch');
  assert.equal(other.kind === 'reject' && other.detail, 'the message asks for 192.0.2.99 but the packet came from 192.0.2.10 (require_source_address = yes)');
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, allowIp: '192.0.2.10' }), '2001:db8::10'), NOW)), 'source-mismatch',
    'an IPv6 source can never match the IPv4 allow IP');
});

test('require_source_address = no: 0.0.0.0 grants the packet\'s source (IPv4 or IPv6); another IP is granted as written (fwknopd)', () => {
  const { gate: g } = gate([spaTestDoor('spa', { requireSourceAddress: false })]);
  const s = g.check(dgram(spaPacket({ at: NOW, allowIp: '0.0.0.0' })), NOW);
  assert.deepEqual(s.kind === 'open' && [s.address, s.family], [CLIENT, 4]);
  const v6 = g.check(dgram(spaPacket({ at: NOW, allowIp: '0.0.0.0' }), '2001:db8::10'), NOW);
  assert.deepEqual(v6.kind === 'open' && [v6.address, v6.family], ['2001:db8::10', 6]);
  const other = g.check(dgram(spaPacket({ at: NOW, allowIp: '198.51.100.7' })), NOW);
  assert.deepEqual(other.kind === 'open' && [other.address, other.family], ['198.51.100.7', 4]);
});

test('require_username: the username must match exactly', () => {
  const { gate: g } = gate([spaTestDoor('spa', { requireUsername: 'alice' })]);
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, username: 'root' })), NOW)), 'username');
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, username: 'Alice' })), NOW)), 'username');
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, username: 'alice' })), NOW)), 'open');
});

test('open_ports: every requested port must be listed, protocol included', () => {
  const { gate: g } = gate([spaTestDoor('spa', { openPorts: [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }] })]);
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, access: [{ proto: 'tcp', port: 23 }] })), NOW)), 'port-not-allowed');
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, access: [{ proto: 'udp', port: 22 }] })), NOW)), 'port-not-allowed');
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, access: [{ proto: 'tcp', port: 22 }, { proto: 'tcp', port: 80 }] })), NOW)), 'port-not-allowed');
  const both = g.check(dgram(spaPacket({ at: NOW, access: [{ proto: 'udp', port: 1194 }, { proto: 'tcp', port: 22 }] })), NOW);
  assert.deepEqual(both.kind === 'open' && both.services, [{ proto: 'udp', port: 1194 }, { proto: 'tcp', port: 22 }]);
});

test('timeout: min(client timeout, max_fw_timeout) when the client asks (fwknop -f), else fw_access_timeout', () => {
  const { gate: g } = gate([spaTestDoor('spa', { accessTimeoutMs: 20_000, maxTimeoutMs: 300_000 })]);
  const timeout = (clientTimeout?: number) => {
    const o = g.check(dgram(spaPacket({ at: NOW, ...(clientTimeout !== undefined && { clientTimeout }) })), NOW);
    return o.kind === 'open' ? o.timeoutMs : reason(o);
  };
  assert.equal(timeout(), 20_000);
  assert.equal(timeout(45), 45_000);
  assert.equal(timeout(5), 5_000, 'a shorter request is honoured');
  assert.equal(timeout(3600), 300_000, 'capped by max_fw_timeout');
});

test('command messages (on a door without enable_cmd_exec) and NAT messages are refused with their reason', () => {
  const { gate: g } = gate();
  const cmd = g.check(dgram(spaPacket({ at: NOW, type: MessageType.command, command: 'touch /tmp/x' })), NOW);
  assert.equal(reason(cmd), 'command');
  assert.match(cmd.kind === 'reject' ? cmd.detail : '', /not run by this door \(enable_cmd_exec = no\)/);
  const nat = g.check(dgram(spaPacket({ at: NOW, nat: { host: '10.0.0.5', port: 22 } })), NOW);
  assert.equal(reason(nat), 'nat');
  assert.match(nat.kind === 'reject' ? nat.detail : '', /NAT access requests \(message type 2, fwknop -N\) are not granted by this door/);
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW, nat: { host: '10.0.0.5', port: 22 }, clientTimeout: 30 })), NOW)), 'nat');
  const local = g.check(dgram(spaPacket({ at: NOW, type: MessageType.localNatAccess, nat: { host: '10.0.0.1', port: 2222 } })), NOW);
  assert.equal(reason(local), 'nat');
  assert.match(local.kind === 'reject' ? local.detail : '', /local NAT requests .* are not supported/);
});

test('NAT access requests (fwknop -N HOST:PORT -A PROTO/PORT): granted only as exactly one of the door\'s forward rules', () => {
  const forwards = [
    { proto: 'tcp', port: 13389, host: '10.0.0.5', family: 4, hostPort: 3389 },
    { proto: 'tcp', port: 2222, host: 'fd00::5', family: 6, hostPort: 22 },
  ] as const;
  const door = { ...spaTestDoor('gw', { openPorts: [] }), forwards };
  const { gate: g } = gate([door]);
  const ask = (access: { proto: 'tcp' | 'udp'; port: number }, host: string, port: number, extra: Parameters<typeof spaPacket>[0] = {}) =>
    g.check(dgram(spaPacket({ at: NOW, access: [access], nat: { host, port }, ...extra })), NOW);
  const ok = ask({ proto: 'tcp', port: 13389 }, '10.0.0.5', 3389, { clientTimeout: 60 });
  assert.equal(ok.kind, 'open', JSON.stringify(ok));
  assert.deepEqual(ok.kind === 'open' && [ok.services, ok.forwards, ok.timeoutMs, ok.address], [[], [forwards[0]], 60_000, CLIENT]);
  for (const [access, host, port] of [
    [{ proto: 'tcp', port: 13389 }, '10.0.0.6', 3389], [{ proto: 'tcp', port: 13389 }, '10.0.0.5', 22],
    [{ proto: 'udp', port: 13389 }, '10.0.0.5', 3389], [{ proto: 'tcp', port: 13390 }, '10.0.0.5', 3389],
    [{ proto: 'tcp', port: 13389 }, 'inside.example', 3389],
  ] as const) {
    const o = ask(access, host, port);
    assert.equal(reason(o), 'forward-not-allowed', `${access.proto}/${access.port} -> ${host}:${port}`);
  }
  const named = ask({ proto: 'tcp', port: 13389 }, 'inside.example', 3389);
  assert.match(named.kind === 'reject' ? named.detail : '', /is not in forward \(tcp\/13389 -> 10\.0\.0\.5:3389, tcp\/2222 -> \[fd00::5\]:22\); the NAT host must be an IP address/);
  // fwknop's NAT host is IPv4 (or a name): an IPv4 inside host cannot be reached from an IPv6 grant (-s from an IPv6 source).
  const { gate: any } = gate([{ ...spaTestDoor('gw', { openPorts: [], requireSourceAddress: false }), forwards }]);
  const v6 = any.check(dgram(spaPacket({ at: NOW, allowIp: '0.0.0.0', access: [{ proto: 'tcp', port: 13389 }], nat: { host: '10.0.0.5', port: 3389 } }), '2001:db8::10'), NOW);
  assert.equal(reason(v6), 'forward-not-allowed');
  assert.match(v6.kind === 'reject' ? v6.detail : '', /goes to an IPv4 host, but the grant is for an IPv6 address/);
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW })), NOW)), 'port-not-allowed', 'a plain access request: open_ports (none here)');
});

test('the checks run in fwknopd\'s order: each packet is refused for the first thing wrong with it', () => {
  const door = spaTestDoor('spa', { requireUsername: 'alice' });
  const { gate: g } = gate([door]);
  const check = (o: Parameters<typeof spaPacket>[0], src = CLIENT) => reason(g.check(dgram(spaPacket({ at: NOW, ...o }), src), NOW));
  const everything = { at: NOW - 300_000, allowIp: '0.0.0.0', username: 'bob', access: [{ proto: 'tcp', port: 23 }] } as const;
  assert.equal(check({ ...everything, hmac: new Uint8Array(16).fill(3) }), 'bad-hmac');
  assert.equal(check(everything), 'stale');
  assert.equal(check({ ...everything, at: NOW }), 'source-required');
  assert.equal(check({ ...everything, at: NOW, allowIp: '192.0.2.77' }), 'source-mismatch');
  assert.equal(check({ ...everything, at: NOW, allowIp: CLIENT }), 'username');
  assert.equal(check({ ...everything, at: NOW, allowIp: CLIENT, username: 'alice', type: MessageType.command, command: 'id' }), 'command');
  assert.equal(check({ ...everything, at: NOW, allowIp: CLIENT, username: 'alice' }), 'port-not-allowed');
  assert.equal(check({ at: NOW, username: 'alice' }), 'open');
});

test('several doors on one port: the first whose keys work decides (fwknopd\'s stanzas); a door\'s source narrows it', () => {
  const other = new Uint8Array(32).fill(5);
  const otherHmac = new Uint8Array(64).fill(6);
  const a = spaTestDoor('a', { key: other, hmacKey: otherHmac, openPorts: [{ proto: 'tcp', port: 443 }] });
  const b = spaTestDoor('b');
  const { gate: g } = gate([a, b]);
  const o = g.check(dgram(spaPacket({ at: NOW })), NOW);
  assert.equal(o.kind === 'open' && o.door.name, 'b');
  const viaA = g.check(dgram(spaPacket({ at: NOW, key: other, hmac: otherHmac, access: [{ proto: 'tcp', port: 443 }] })), NOW);
  assert.equal(viaA.kind === 'open' && viaA.door.name, 'a');
  const neither = g.check(dgram(spaPacket({ at: NOW, hmac: new Uint8Array(8).fill(1) })), NOW);
  assert.equal(reason(neither), 'bad-hmac');
  assert.equal(neither.kind === 'reject' && neither.door, undefined, 'no single door to blame');
  const { gate: narrowed } = gate([spaTestDoor('far', { source: [parseCidr('203.0.113.0/24')] }), b]);
  const n = narrowed.check(dgram(spaPacket({ at: NOW })), NOW);
  assert.equal(n.kind === 'open' && n.door.name, 'b');
});

test('doors see only their port and way of listening; a reload keeps the replay cache', () => {
  const door = spaTestDoor('s', { port: 5000, listen: 'socket' });
  const { gate: g } = gate([door, spaTestDoor('p')]);
  assert.equal(g.handles(5000, 'socket'), true);
  assert.equal(g.handles(5000, 'pcap'), false);
  assert.equal(g.handles(62201, 'pcap'), true);
  const p = spaPacket({ at: NOW });
  assert.equal(reason(g.check(dgram(p, CLIENT, { port: 5000, via: 'socket' }), NOW)), 'open');
  g.reconfigure([spaTestDoor('p')], 120_000);
  assert.equal(g.handles(5000, 'socket'), false);
  assert.equal(reason(g.check(dgram(p), NOW + 3000)), 'replay');
});

test('an unreadable replay cache: packets stamped before the start are refused (their replays cannot be ruled out)', () => {
  const { gate: g, replay } = gate();
  replay.notBefore = NOW;
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW - 5000 })), NOW + 1000)), 'replay-unknown');
  assert.equal(reason(g.check(dgram(spaPacket({ at: NOW + 2000 })), NOW + 2500)), 'open');
});

