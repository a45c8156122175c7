// Replay-resistant sequences: a door with `sequence_secret` has no fixed
// sequence; its ports are derived from the secret and the time window
// (src/door/secret-sequence.ts), and each derived sequence opens once.
//
//   [ssh]
//       sequence_secret   = BASE64        # 16–128 bytes; e.g. openssl rand -base64 32
//       sequence_length   = 3             # ports per sequence, 2–16
//       sequence_window   = 30            # seconds per sequence, 5–3600 (±1 window accepted)
//       sequence_ports    = 1024-32767    # the range ports are drawn from
//       sequence_protocol = tcp           # or udp
//
// Excludes Sequence and One_Time_Sequences (and the SPA keys). Pure: values
// in, SecretSequence out, problems with file, line and key.
import type { DecoyPolicy, PortRange, SecretSequence } from './model.js';
import type { Origin, Problems } from './problems.js';
import { InvalidValueError } from './errors.js';
import { parseCount } from './values.js';
import { stripTrailingComment } from './sequence.js';

export const SECRET_SEQUENCE_KEYS = {
  sequence_secret: 'sequence_secret',
  sequence_length: 'sequence_length',
  sequence_window: 'sequence_window',
  sequence_ports: 'sequence_ports',
  sequence_protocol: 'sequence_protocol',
} as const;
export type SecretSequenceKey = (typeof SECRET_SEQUENCE_KEYS)[keyof typeof SECRET_SEQUENCE_KEYS];

const KEY_SET: ReadonlySet<string> = new Set(Object.values(SECRET_SEQUENCE_KEYS));

export function isSecretSequenceKey(key: string): key is SecretSequenceKey {
  return KEY_SET.has(key);
}

export const SECRET_SEQUENCE_DEFAULTS = {
  length: 3,
  windowSeconds: 30,
  ports: { from: 1024, to: 32767 },
  proto: 'tcp',
} as const;

export const MIN_SECRET_BYTES = 16;
export const MAX_SECRET_BYTES = 128;
export const MAX_SEQUENCE_LENGTH = 16;
export const MIN_WINDOW_SECONDS = 5;
export const MAX_WINDOW_SECONDS = 3600;
/** Fewer bits and a blind guess per window becomes thinkable; decoys aside. */
export const MIN_SEQUENCE_BITS = 32;

/** Bits of a sequence of `length` distinct ports from `rangeSize`: log2(n·(n−1)·…·(n−length+1)). */
export function sequenceBits(length: number, rangeSize: number): number {
  let bits = 0;
  for (let i = 0; i < length; i++) bits += rangeSize - i > 0 ? Math.log2(rangeSize - i) : -Infinity;
  return bits;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Standard base64 of 16–128 bytes (padding optional). */
export function parseSequenceSecret(text: string): Uint8Array {
  const value = stripTrailingComment(text).trim();
  const bare = value.replace(/=+$/, '');
  if (value === '' || !BASE64.test(value) || bare.length % 4 === 1 || (value.includes('=') && value.length % 4 !== 0)) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `not base64; expected ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} random bytes in standard base64 (e.g. the output of openssl rand -base64 32)`);
  }
  const bytes = new Uint8Array(Buffer.from(bare, 'base64'));
  if (bytes.length < MIN_SECRET_BYTES || bytes.length > MAX_SECRET_BYTES) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `decodes to ${bytes.length} bytes; expected a secret of ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes (e.g. openssl rand -base64 32)`);
  }
  return bytes;
}

/** `FROM-TO`, 1 ≤ FROM < TO ≤ 65535. */
export function parseSequencePorts(text: string): PortRange {
  const value = stripTrailingComment(text).trim();
  const m = /^([0-9]{1,5})\s*-\s*([0-9]{1,5})$/.exec(value);
  const from = m ? Number(m[1]) : NaN;
  const to = m ? Number(m[2]) : NaN;
  if (!m || from < 1 || to > 65535 || from >= to) {
    throw new InvalidValueError('CONFIG_BAD_PORT', `"${value}" is not a port range; expected FROM-TO with 1 <= FROM < TO <= 65535, e.g. 1024-32767`);
  }
  return { from, to };
}

export function parseSequenceProtocol(text: string): 'tcp' | 'udp' {
  const value = stripTrailingComment(text).trim().toLowerCase();
  if (value === 'tcp' || value === 'udp') return value;
  throw new InvalidValueError('CONFIG_BAD_PROTOCOL', `"${text}" is not a knock protocol here; expected tcp or udp`);
}

/** What the door already has that a secret-sequence door cannot have with it. */
export interface SecretDoorContext {
  readonly name: string;
  /** Sequence or One_Time_Sequences, where given. */
  readonly sequenceAt?: Origin;
  /** `tcpflags` requires ACK set: TCP knocks here are connection attempts (SYN without ACK). */
  readonly tcpFlagsAt?: Origin;
  readonly requiresAck: boolean;
}

export class SecretSequenceDraft {
  secret?: Uint8Array;
  /** Where sequence_secret was given (even if its value was refused). */
  at?: Origin;
  length: number = SECRET_SEQUENCE_DEFAULTS.length;
  windowSeconds: number = SECRET_SEQUENCE_DEFAULTS.windowSeconds;
  ports: PortRange = SECRET_SEQUENCE_DEFAULTS.ports;
  proto: 'tcp' | 'udp' = SECRET_SEQUENCE_DEFAULTS.proto;
  /** The companion keys given, for "needs sequence_secret". */
  private readonly companions: Origin[] = [];
  private lengthAt?: Origin;
  private portsAt?: Origin;

  apply(key: SecretSequenceKey, value: string, at: Origin, problems: Problems): void {
    switch (key) {
      case 'sequence_secret': this.at = at; this.secret = problems.value(at, () => parseSequenceSecret(value)); return;
      case 'sequence_length':
        this.companions.push(at); this.lengthAt = at;
        this.length = problems.value(at, () => parseCount(value, 2, MAX_SEQUENCE_LENGTH)) ?? this.length; return;
      case 'sequence_window':
        this.companions.push(at);
        this.windowSeconds = problems.value(at, () => parseCount(value, MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS)) ?? this.windowSeconds; return;
      case 'sequence_ports':
        this.companions.push(at); this.portsAt = at;
        this.ports = problems.value(at, () => parseSequencePorts(value)) ?? this.ports; return;
      case 'sequence_protocol':
        this.companions.push(at);
        this.proto = problems.value(at, () => parseSequenceProtocol(value)) ?? this.proto; return;
    }
  }

  /** Whole-door checks, once the section is read. */
  check(door: SecretDoorContext, problems: Problems): void {
    if (!this.at) {
      for (const at of this.companions) {
        problems.atKey('CONFIG_UNKNOWN_KEY', at, `needs sequence_secret, which [${door.name}] does not have; expected it only on a door with sequence_secret = BASE64`);
      }
      return;
    }
    if (door.sequenceAt) {
      problems.atKey('CONFIG_CONFLICT', this.at,
        `[${door.name}] also has ${door.sequenceAt.key} on line ${door.sequenceAt.line}; expected either a fixed sequence or sequence_secret (derived sequences), not both`);
    }
    if (this.proto === 'tcp' && door.requiresAck && door.tcpFlagsAt) {
      problems.atKey('CONFIG_CONFLICT', door.tcpFlagsAt,
        `[${door.name}] has sequence_secret, whose TCP knocks are connection attempts (SYN without ACK); expected TCPFlags without ack`);
    }
    const n = this.ports.to - this.ports.from + 1;
    const bits = sequenceBits(this.length, n);
    if (!(bits >= MIN_SEQUENCE_BITS)) {
      const at = this.portsAt ?? this.lengthAt ?? this.at;
      const got = Number.isFinite(bits) ? `give only ${bits.toFixed(1)} bits` : 'cannot give distinct ports';
      problems.atKey('CONFIG_BAD_VALUE', at,
        `${this.length} ports from ${this.ports.from}-${this.ports.to} (${n} ports) ${got}; expected at least ${MIN_SEQUENCE_BITS} bits: a longer sequence_length or a wider sequence_ports`);
    }
  }

  /** With an explicit Decoys list, a derived port that is a decoy would fail every attempt it is in. */
  checkDecoys(decoys: DecoyPolicy, where: string, problems: Problems): void {
    if (!this.at || !this.secret || decoys.mode !== 'ports') return;
    const hit = (this.proto === 'tcp' ? decoys.tcp : decoys.udp).find((r) => r.from <= this.ports.to && r.to >= this.ports.from);
    if (hit) {
      problems.atKey('CONFIG_CONFLICT', this.portsAt ?? this.at,
        `the derived ports (${this.proto} ${this.ports.from}-${this.ports.to}) overlap the decoy ports ${hit.from}-${hit.to}${where}; expected sequence_ports outside the decoy list`);
    }
  }

  build(): SecretSequence | undefined {
    if (!this.secret) return undefined;
    return { secret: this.secret, length: this.length, windowSeconds: this.windowSeconds, ports: this.ports, proto: this.proto };
  }
}

/** `3 tcp ports from 1024-32767, a new sequence every 30 s (the previous and next accepted), each used once`. */
export function describeSecretSequence(s: SecretSequence): string {
  return `derived from sequence_secret: ${s.length} ${s.proto} ports from ${s.ports.from}-${s.ports.to}, `
    + `a new sequence every ${s.windowSeconds} s (the previous and next window's accepted), each used once`;
}
