// Shared by the SPA tests: keys and messages from the research vectors, a
// seeded PRNG (failures reproduce) and a generator of random valid messages.
import type { CapturedVector, DeterministicVector } from './vectors.js';
import type { AccessSpec, EncryptionMode, HmacDigest, InnerDigest, MessageType, SpaKeys, SpaMessage } from '../types.js';

/** fwknop's type names (sha3_256) to ours (sha3-256). */
export function digestName(s: string): InnerDigest {
  return s.replace('_', '-') as InnerDigest;
}

export function keysOfCaptured(v: CapturedVector): SpaKeys {
  const encryption = v.key_base64 !== null ? Buffer.from(v.key_base64, 'base64') : Buffer.from(v.key_passphrase ?? '', 'latin1');
  const hmac = v.hmac_key_base64 !== null ? Buffer.from(v.hmac_key_base64, 'base64')
    : v.hmac_key_passphrase !== null ? Buffer.from(v.hmac_key_passphrase, 'latin1') : undefined;
  const mode: EncryptionMode = v.encryption_mode === 'legacy' ? 'legacy' : 'cbc';
  return { encryption, ...(hmac ? { hmac } : {}), ...(v.hmac_type ? { hmacDigest: digestName(v.hmac_type) } : {}), mode };
}

export function keysOfDeterministic(v: DeterministicVector): SpaKeys {
  const i = v.inputs;
  const encryption = i.key_base64 !== undefined ? Buffer.from(i.key_base64, 'base64') : Buffer.from(i.key_passphrase ?? '', 'latin1');
  return {
    encryption,
    ...(i.hmac_key_base64 !== undefined ? { hmac: Buffer.from(i.hmac_key_base64, 'base64') } : {}),
    ...(i.hmac ? { hmacDigest: digestName(i.hmac) } : {}),
  };
}

export function messageOfDeterministic(v: DeterministicVector): SpaMessage {
  const i = v.inputs;
  const [allowIp, ...specs] = i.message.split(',');
  const access = specs.map((s): AccessSpec => ({ proto: s.split('/')[0] as 'tcp' | 'udp', port: Number(s.split('/')[1]) }));
  const nat = i.natAccess ? { host: i.natAccess.split(',')[0]!, port: Number(i.natAccess.split(',')[1]) } : undefined;
  return {
    random: i.rand, username: i.user, timestamp: i.timestamp, version: '3.0.0', type: i.msgType as MessageType,
    allowIp: allowIp!, access, ...(nat ? { nat } : {}), ...(i.clientTimeout !== undefined ? { clientTimeout: i.clientTimeout } : {}),
  };
}

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): { next(): number; int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T; bytes(n: number): Buffer } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next, int,
    pick: <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!,
    bytes: (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(0, 255))),
  };
}

export type Rng = ReturnType<typeof prng>;

const USER_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@ #$%&!~^()`{}\'';
export const DIGEST_TYPES: readonly InnerDigest[] = ['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-512'];

function str(r: Rng, chars: string, lo: number, hi: number): string {
  return Array.from({ length: r.int(lo, hi) }, () => chars[r.int(0, chars.length - 1)]).join('');
}

function ipv4(r: Rng): string {
  return r.next() < 0.2 ? '0.0.0.0' : [r.int(0, 255), r.int(0, 255), r.int(0, 255), r.int(0, 255)].join('.');
}

/** A random valid message in the decoder's normal form (what decodeSpa() gives back). */
export function randomMessage(r: Rng): SpaMessage {
  const type = r.int(0, 6) as MessageType;
  const access = type === 0 ? [] : Array.from({ length: r.int(1, 3) }, (): AccessSpec => ({ proto: r.pick(['tcp', 'udp'] as const), port: r.int(1, 65535) }));
  const nat = type === 2 || type === 4 || type === 5 || type === 6
    ? { host: r.next() < 0.5 ? ipv4(r) : `${str(r, 'abcxyz019', 1, 8)}.example${r.pick(['', '.'])}`, port: r.int(1, 65535) } : undefined;
  return {
    random: Array.from({ length: 16 }, () => r.int(0, 9)).join(''),
    username: str(r, USER_CHARS, 1, r.next() < 0.9 ? 12 : 48),
    timestamp: r.next() < 0.1 ? r.pick([0, 2 ** 31 - 1]) : r.int(1_500_000_000, 2_100_000_000),
    version: r.next() < 0.9 ? '3.0.0' : r.pick(['2.0.4', '3', '12.34.56']),
    type,
    allowIp: ipv4(r),
    access,
    ...(type === 0 ? { command: str(r, 'abc -/=.;|&$"\'', 1, 30) } : {}),
    ...(nat ? { nat } : {}),
    ...(r.next() < 0.1 ? { serverAuth: str(r, 'abc:,=+/ 0', 1, 20) } : {}),
    ...(type === 3 || type === 4 || type === 6 ? { clientTimeout: r.int(1, 65536) } : {}),
  };
}

/** Random keys: encryption 1–32 bytes, sometimes an HMAC of a random type and length, sometimes legacy mode. */
export function randomKeys(r: Rng): SpaKeys {
  const encryption = r.bytes(r.int(1, 32));
  const roll = r.next();
  if (roll < 0.15) return { encryption, ...(r.next() < 0.5 ? { mode: 'legacy' as const } : {}) };
  const hmacDigest: HmacDigest = r.pick(DIGEST_TYPES);
  let hmac = r.bytes(r.int(1, 128));
  if (hmac.equals(encryption)) hmac = Buffer.concat([hmac, Buffer.from([1])]);
  return { encryption, hmac, hmacDigest };
}
