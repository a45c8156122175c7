// Byte-level mutators (the AFL/libFuzzer classics): bit flips, byte
// insert/delete/duplicate, interesting values, length-field tweaks,
// truncation, extension, splicing with another corpus entry, and dictionary
// tokens. Each takes and returns a fresh array; the input is never modified.
import type { Rng } from './rng.js';

export type Mutator = (rng: Rng, input: Uint8Array, ctx: MutationContext) => Uint8Array;

export interface MutationContext {
  /** Other corpus entries, for splicing. */
  readonly corpus: readonly Uint8Array[];
  /** Tokens worth inserting whole (keywords, magic numbers). */
  readonly dictionary: readonly Uint8Array[];
  readonly maxLen: number;
}

const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x02, 0x04, 0x05, 0x06, 0x0a, 0x10, 0x11, 0x20, 0x2c, 0x3a, 0x40, 0x45, 0x60, 0x64];
const INTERESTING_16 = [0x0000, 0x0001, 0x00ff, 0x0100, 0x7fff, 0x8000, 0xffff, 0x0008, 0x0014, 0x0028, 0x0800, 0x86dd, 0x8100, 0x88a8, 0x9100, 0xfffe];

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function copy(input: Uint8Array): Uint8Array {
  return Uint8Array.from(input);
}

export const bitFlip: Mutator = (rng, input) => {
  if (input.length === 0) return Uint8Array.of(rng.u32() & 0xff);
  const out = copy(input);
  const flips = rng.oneIn(4) ? rng.int(2, 8) : 1;
  for (let i = 0; i < flips; i++) out[rng.below(out.length)]! ^= 1 << rng.below(8);
  return out;
};

export const randomByte: Mutator = (rng, input) => {
  if (input.length === 0) return Uint8Array.of(rng.u32() & 0xff);
  const out = copy(input);
  out[rng.below(out.length)] = rng.u32() & 0xff;
  return out;
};

export const interestingByte: Mutator = (rng, input) => {
  if (input.length === 0) return Uint8Array.of(rng.pick(INTERESTING_8));
  const out = copy(input);
  out[rng.below(out.length)] = rng.pick(INTERESTING_8);
  return out;
};

/** A 16-bit field set to a boundary value, or nudged by a small amount (length fields, ports, EtherTypes). */
export const lengthField: Mutator = (rng, input) => {
  if (input.length < 2) return interestingByte(rng, input, { corpus: [], dictionary: [], maxLen: 2 });
  const out = copy(input);
  const at = rng.below(out.length - 1);
  let v: number;
  if (rng.oneIn(2)) v = rng.pick(INTERESTING_16);
  else v = (((out[at]! << 8) | out[at + 1]!) + rng.int(-4, 4) + (rng.oneIn(4) ? input.length : 0)) & 0xffff;
  out[at] = v >> 8;
  out[at + 1] = v & 0xff;
  return out;
};

export const insertBytes: Mutator = (rng, input, ctx) => {
  const at = rng.below(input.length + 1);
  const n = rng.int(1, rng.oneIn(8) ? 64 : 4);
  const fill = rng.oneIn(2) ? rng.bytes(n) : new Uint8Array(n).fill(rng.pick(INTERESTING_8));
  return clip(concat(input.subarray(0, at), fill, input.subarray(at)), ctx.maxLen);
};

export const deleteBytes: Mutator = (rng, input) => {
  if (input.length === 0) return input;
  const at = rng.below(input.length);
  const n = rng.int(1, Math.min(input.length - at, rng.oneIn(4) ? 64 : 4));
  return concat(input.subarray(0, at), input.subarray(at + n));
};

export const duplicateBytes: Mutator = (rng, input, ctx) => {
  if (input.length === 0) return input;
  const at = rng.below(input.length);
  const n = rng.int(1, Math.min(input.length - at, 32));
  const times = rng.int(1, rng.oneIn(8) ? 32 : 3);
  const parts = [input.subarray(0, at + n)];
  for (let i = 0; i < times; i++) parts.push(input.subarray(at, at + n));
  parts.push(input.subarray(at + n));
  return clip(concat(...parts), ctx.maxLen);
};

export const truncate: Mutator = (rng, input) => input.subarray(0, rng.below(input.length + 1)).slice();

export const extend: Mutator = (rng, input, ctx) => {
  const n = rng.int(1, rng.oneIn(4) ? 256 : 16);
  const tail = rng.oneIn(2) ? rng.bytes(n) : new Uint8Array(n);
  return clip(concat(input, tail), ctx.maxLen);
};

/** The head of this input with the tail of another entry (or the reverse). */
export const splice: Mutator = (rng, input, ctx) => {
  if (ctx.corpus.length === 0) return input;
  const other = rng.pick(ctx.corpus);
  const a = rng.below(input.length + 1);
  const b = rng.below(other.length + 1);
  return clip(rng.oneIn(2) ? concat(input.subarray(0, a), other.subarray(b)) : concat(other.subarray(0, b), input.subarray(a)), ctx.maxLen);
};

export const insertToken: Mutator = (rng, input, ctx) => {
  if (ctx.dictionary.length === 0) return input;
  const token = rng.pick(ctx.dictionary);
  const at = rng.below(input.length + 1);
  // Insert, or overwrite in place.
  if (rng.oneIn(2)) return clip(concat(input.subarray(0, at), token, input.subarray(at)), ctx.maxLen);
  return clip(concat(input.subarray(0, at), token, input.subarray(Math.min(input.length, at + token.length))), ctx.maxLen);
};

/** Swap two chunks, e.g. two header fields or two lines' worth of bytes. */
export const swapChunks: Mutator = (rng, input) => {
  if (input.length < 4) return input;
  const n = rng.int(1, Math.floor(input.length / 2));
  const a = rng.below(input.length - 2 * n + 1);
  const b = a + n + rng.below(input.length - a - 2 * n + 1);
  const out = copy(input);
  out.set(input.subarray(b, b + n), a);
  out.set(input.subarray(a, a + n), b);
  return out;
};

export const BYTE_MUTATORS: readonly Mutator[] = [
  bitFlip, randomByte, interestingByte, lengthField, insertBytes, deleteBytes, duplicateBytes,
  truncate, extend, splice, insertToken, swapChunks,
];

export function clip(input: Uint8Array, maxLen: number): Uint8Array {
  return input.length > maxLen ? input.subarray(0, maxLen) : input;
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}

export function text(input: Uint8Array): string {
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
}

export { concat };
