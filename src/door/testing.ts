// Builders for door and packet values in tests (no parser needed).
import { DEFAULTS, type Door, type Options, type Step } from '../config/model.js';
import type { Packet } from '../packet/packet.js';

export const SERVER = '10.0.0.1';

export function options(overrides: Partial<Options> = {}): Options {
  return {
    useSyslog: false,
    interfaces: ['eth0'],
    decoys: { mode: 'off' },
    failureLimit: DEFAULTS.failureLimit,
    failureWindowMs: DEFAULTS.failureWindowMs,
    banMs: DEFAULTS.banMs,
    maxAttempts: DEFAULTS.maxAttempts,
    maxTrackedSources: DEFAULTS.maxTrackedSources,
    nftTable: { family: 'inet', name: 'portcullis', integrated: false },
    nftPriority: DEFAULTS.nftPriority,
    closeOnExit: true,
    maxSpaPacketAgeMs: DEFAULTS.maxSpaPacketAgeMs,
    ...overrides,
  };
}

/** A door from a knockd-style sequence string such as "7000,8000:udp,icmp". */
export function door(name: string, sequence: string, overrides: Partial<Door> = {}): Door {
  const steps: Step[] = sequence.split(',').map((s) => {
    const [a, b] = s.trim().split(':');
    if (a === 'icmp') return { proto: 'icmp', port: 0 };
    return { proto: b === 'udp' ? 'udp' : 'tcp', port: Number(a) };
  });
  return {
    name, line: 1, sequence: steps, seqTimeoutMs: DEFAULTS.seqTimeoutMs, knockMinGapMs: 0, knockMaxGapMs: 0, cmdTimeoutMs: DEFAULTS.cmdTimeoutMs,
    tcpFlags: [], allow: [], allowDuplicates: false, cooldownMs: 0, open: [], forwards: [], openTimeoutMs: DEFAULTS.openTimeoutMs, revokes: [], ...overrides,
  };
}

const FLAG_LETTERS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20 };

export function tcp(src: string, port: number, flags = 'S', dst = SERVER): Packet {
  let bits = 0;
  for (const c of flags) bits |= FLAG_LETTERS[c] ?? 0;
  return { family: src.includes(':') ? 6 : 4, src, dst, proto: 'tcp', srcPort: 40000, dstPort: port, tcpFlags: bits, payload: new Uint8Array() };
}

export function udp(src: string, port: number, payload = '\0', dst = SERVER): Packet {
  return { family: src.includes(':') ? 6 : 4, src, dst, proto: 'udp', srcPort: 40000, dstPort: port, tcpFlags: 0, payload: Buffer.from(payload) };
}

export function ping(src: string, payload = '', dst = SERVER): Packet {
  return { family: src.includes(':') ? 6 : 4, src, dst, proto: 'icmp', srcPort: 0, dstPort: 0, tcpFlags: 0, payload: Buffer.from(payload) };
}
