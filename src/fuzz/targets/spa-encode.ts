// Target: the SPA encoder and the round trip. The input drives a generator
// of field values and keys, mostly valid and sometimes not (an odd value is
// the top of a range, so the zeros read past an input's end give plain valid
// values); encodeSpaParts() must refuse with a typed error or produce a
// packet that decodeSpa() gives back field for field.
import { decodeSpa, encodeSpaParts, type SpaEncoding } from '../../spa/codec.js';
import { DIGESTS } from '../../spa/digest.js';
import { SpaError, type AccessSpec, type InnerDigest, type SpaKeys, type SpaMessage } from '../../spa/types.js';
import { ByteSource } from '../bytes-source.js';
import { violate, type Target } from '../target.js';
import { KEYS, SALT } from './spa-common.js';

const CONTRACT = 'encodeSpaParts(message, keys, { salt, digest, commands? }) returns or throws SpaError SPA_BAD_FIELDS / SPA_BAD_KEY, '
  + 'nothing else; when it returns, decodeSpa(packet, keys with the same commands) accepts the packet and gives back the same fields, '
  + 'encoded string and digest type.';

const USER = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@ #$%&!~^()`{}\'';
const ODD = ':,;/\\"=+*?<>[]|\x00\x7f\xe9\n';
const PRINTABLE = `${USER}:,;/\\"=+*?<>[]|`;

function maybeOdd(s: ByteSource, good: string): string {
  return s.int(0, 15) === 15 ? good + s.string(ODD, 2) : good;
}

function quad(s: ByteSource): string {
  if (s.int(0, 15) === 15) return s.pick(['1.2.3', '256.0.0.1', '01.2.3.4', '1.2.3.4.5', '', '::1', ' 1.2.3.4']);
  return [s.byte(), s.byte(), s.byte(), s.byte()].join('.');
}

function access(s: ByteSource): AccessSpec[] {
  const n = s.int(0, 15) === 15 ? s.int(0, 40) : s.int(1, 3);
  return Array.from({ length: n }, () => ({
    proto: s.int(0, 15) === 15 ? s.pick(['icmp', 'none', 'TCP', 'sctp'] as AccessSpec['proto'][]) : s.pick(['tcp', 'udp'] as const),
    port: s.int(0, 15) === 15 ? s.pick([0, 65536, -1, 1.5, NaN]) : s.int(1, 65535),
  }));
}

function message(s: ByteSource): SpaMessage {
  const type = (s.int(0, 31) === 31 ? s.pick([7, -1, 1.5]) : s.int(0, 6)) as SpaMessage['type'];
  const nat = type === 2 || type === 4 || type === 5 || type === 6 || s.int(0, 31) === 31;
  const timeout = type === 3 || type === 4 || type === 6 ? s.int(0, 31) !== 31 : s.int(0, 31) === 31;
  return {
    random: s.int(0, 31) === 31 ? s.pick(['', '123', '12345678901234567', 'abcdefghijklmnop']) : String(s.int(0, 99999999)).padStart(8, '0') + String(s.int(0, 99999999)).padStart(8, '0'),
    username: maybeOdd(s, s.string(USER, s.int(0, 7) === 7 ? 60 : 12) || 'u'),
    timestamp: s.int(0, 15) === 15 ? s.pick([0, 2 ** 31 - 1, 2 ** 31, -1, 1.5, NaN]) : s.int(1_500_000_000, 2_100_000_000),
    version: s.int(0, 7) === 7 ? s.pick(['2.0.4', '', '123456789', 'a:b', '3.0.0\n', s.string(PRINTABLE, 9)]) : '3.0.0',
    type,
    allowIp: quad(s),
    access: type === 0 && s.int(0, 15) !== 15 ? [] : access(s),
    ...(type === 0 || s.int(0, 31) === 31 ? { command: maybeOdd(s, s.string(PRINTABLE, s.int(0, 7) === 7 ? 250 : 30)) } : {}),
    ...(nat ? {
      nat: {
        host: s.int(0, 7) === 7 ? s.pick(['', 'a..b', '-x', 'x'.repeat(71), '1.2.3.999', 'host_name']) : s.bool() ? quad(s) : `${s.string('abcxyz019-', 8) || 'h'}.example`,
        port: s.int(0, 15) === 15 ? s.pick([0, 65536, 1.5]) : s.int(1, 65535),
      },
    } : {}),
    ...(s.int(0, 7) === 7 ? { serverAuth: maybeOdd(s, s.string(PRINTABLE, 70)) } : {}),
    ...(timeout ? { clientTimeout: s.int(0, 15) === 15 ? s.pick([0, 65537, -1, 1.5]) : s.int(1, 65536) } : {}),
  };
}

function keys(s: ByteSource): SpaKeys {
  const k = s.int(0, 7);
  if (k < 4) return [KEYS.hmac, KEYS.hmac512, KEYS.plain, KEYS.legacy][k]!;
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => s.byte());
  const encryption = bytes(s.int(0, 34));
  if (k === 4) return { encryption, mode: 'legacy' };
  if (k === 5) return { encryption };
  return { encryption, hmac: k === 6 ? bytes(s.int(0, 130)) : encryption, hmacDigest: s.pick([...DIGESTS, 'sha2' as InnerDigest]), ...(s.int(0, 7) === 7 ? { mode: 'legacy' as const } : {}) };
}

/** A message as the decoder gives it back: fields in a fixed order, only those the type carries. */
function normal(m: SpaMessage): string {
  const timeoutType = m.type === 3 || m.type === 4 || m.type === 6;
  return JSON.stringify([
    m.random, m.username, m.timestamp, m.version, m.type, m.allowIp, m.access.map((a) => [a.proto, a.port]),
    m.command ?? null, m.nat ? [m.nat.host, m.nat.port] : null, m.serverAuth ?? null, timeoutType ? m.clientTimeout ?? null : null,
  ]);
}

function run(input: Uint8Array): string {
  const s = new ByteSource(input);
  const m = message(s);
  const k = keys(s);
  const digest = s.int(0, 15) === 15 ? ('sha2' as InnerDigest) : s.pick(DIGESTS);
  // A command message, sometimes for a door that runs commands (the 400-character rule then applies without the HMAC).
  const commands = m.type === 0 && s.int(0, 1) === 1;
  let parts: SpaEncoding;
  try {
    parts = encodeSpaParts(m, k, { salt: SALT, digest, ...(commands ? { commands: true } : {}) });
  } catch (e) {
    if (e instanceof SpaError && (e.code === 'SPA_BAD_FIELDS' || e.code === 'SPA_BAD_KEY')) return `${e.code}: ${e.message.split(/[:;(]/)[0]!.slice(0, 50)}`;
    throw e;
  }
  const r = decodeSpa(parts.packet, commands ? { ...k, commands: true } : k);
  if (!r.ok) violate(`encoded packet refused by the decoder: ${r.error.code} ${r.error.message}`);
  if (r.value.encoded !== parts.encoded) violate('decoded encoded-fields string differs from the encoder\'s');
  if (r.value.digest !== digest) violate(`digest type ${digest} came back as ${r.value.digest}`);
  if (normal(r.value.message) !== normal(m)) violate(`round trip changed the fields:\n  sent ${normal(m)}\n  got  ${normal(r.value.message)}`);
  return `ok type ${m.type} ${k.hmac ? 'hmac' : 'plain'}`;
}

function seeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < 32; i++) out.push(Uint8Array.from({ length: 96 }, (_, j) => (i * 37 + j * 11) & 0xff));
  return out;
}

export const spaEncodeTarget: Target = {
  name: 'spa-encode',
  contract: CONTRACT,
  maxLen: 400,
  seeds,
  mutators: [],
  byteWeight: 1,
  dictionary: [],
  run,
};
