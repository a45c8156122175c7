// Replay-resistant sequences (`sequence_secret`): the knock ports of a time
// window are an HMAC-SHA256 of the secret over a fixed, length-prefixed
// message, turned into distinct ports of the range by rejection sampling (no
// modulo bias). Pure: the window index is an argument; the client
// (portcullis knock --secret) and the daemon compute the same ports.
//
//   msg(block) = "portcullis-sequence-v1" 0x00 || u16 len(name) || name (UTF-8)
//                || u64 window || u32 window_seconds || u8 proto (6 tcp, 17 udp)
//                || u16 from || u16 to || u8 length || u32 block        (big-endian)
//   candidates = HMAC-SHA256(secret, msg(0)) || HMAC-SHA256(secret, msg(1)) || …, read as u16s
//   a candidate v is used when v < 65536 − (65536 mod n)  (n = to − from + 1): port = from + v mod n,
//   unless the sequence has it already.
import { createHmac } from 'node:crypto';
import type { SecretSequence } from '../config/model.js';

export const SEQUENCE_LABEL = 'portcullis-sequence-v1';
/** A derivation needs a few blocks at most (16 candidates each); this bound is never reached by a valid door. */
const MAX_BLOCKS = 1024;

/** The window a time (ms since the epoch) falls in: floor(unix seconds / window). */
export function windowIndex(nowMs: number, windowSeconds: number): number {
  return Math.floor(nowMs / (windowSeconds * 1000));
}

/** When window `w` starts, in ms since the epoch. */
export function windowStartMs(w: number, windowSeconds: number): number {
  return w * windowSeconds * 1000;
}

/** The message of one HMAC block (the layout in the header comment). */
export function sequenceMessage(spec: SecretSequence, doorName: string, window: number, block: number): Buffer {
  const name = Buffer.from(doorName, 'utf8');
  if (name.length > 0xffff) throw new RangeError('door name too long');
  if (!Number.isSafeInteger(window) || window < 0) throw new RangeError(`window ${window} is not a non-negative integer`);
  const label = Buffer.from(`${SEQUENCE_LABEL}\0`, 'ascii');
  const tail = Buffer.alloc(2 + name.length + 8 + 4 + 1 + 2 + 2 + 1 + 4);
  let o = 0;
  o = tail.writeUInt16BE(name.length, o);
  o += name.copy(tail, o);
  o = tail.writeBigUInt64BE(BigInt(window), o);
  o = tail.writeUInt32BE(spec.windowSeconds, o);
  o = tail.writeUInt8(spec.proto === 'tcp' ? 6 : 17, o);
  o = tail.writeUInt16BE(spec.ports.from, o);
  o = tail.writeUInt16BE(spec.ports.to, o);
  o = tail.writeUInt8(spec.length, o);
  tail.writeUInt32BE(block, o);
  return Buffer.concat([label, tail]);
}

/** The ports of `window` for the door named `doorName`: `spec.length` distinct ports of `spec.ports`, in knock order. */
export function deriveSequence(spec: SecretSequence, doorName: string, window: number): number[] {
  const n = spec.ports.to - spec.ports.from + 1;
  if (!(n >= spec.length && spec.length >= 1)) throw new RangeError(`${spec.length} distinct ports cannot come from a range of ${n}`);
  const limit = 65536 - (65536 % n);
  const ports: number[] = [];
  for (let block = 0; block < MAX_BLOCKS; block++) {
    const mac = createHmac('sha256', spec.secret).update(sequenceMessage(spec, doorName, window, block)).digest();
    for (let i = 0; i + 1 < mac.length; i += 2) {
      const v = mac.readUInt16BE(i);
      if (v >= limit) continue; // rejection: keeps every port of the range equally likely
      const port = spec.ports.from + (v % n);
      if (ports.includes(port)) continue;
      ports.push(port);
      if (ports.length === spec.length) return ports;
    }
  }
  throw new RangeError(`no sequence after ${MAX_BLOCKS} blocks`);
}
