// A QR Code encoder for the terminal (ISO/IEC 18004:2015): byte mode only,
// error correction level L or M, the smallest version that fits, printed with
// Unicode half blocks exactly as `qrencode -8 -t UTF8` prints it. Enough to
// hand keys to Fwknop2 (≈160–250 characters); no other modes, no ECI.
import { buildMatrix, type QrMatrix } from './qr-matrix.js';
import { ecCodewords } from './qr-reed-solomon.js';
import { blockLayout, MAX_VERSION, type EcLevel } from './qr-tables.js';
import { PortcullisError } from '../errors.js';

export type { EcLevel } from './qr-tables.js';
export type { QrMatrix } from './qr-matrix.js';

export class QrError extends PortcullisError {
  constructor(message: string) {
    super('QR_TOO_LONG', message);
  }
}

export interface QrCode extends QrMatrix {
  readonly version: number;
  readonly level: EcLevel;
  readonly mask: number;
}

export interface QrOptions {
  /** Default M: it survives a glare or a smudge on the screen better than L. */
  readonly level?: EcLevel;
  /** Force a mask pattern 0–7 (tests); default: the lowest penalty. */
  readonly mask?: number;
}

/** Byte-mode bits before the data: mode 0100 and the character count (8 bits up to version 9, else 16; Table 3). */
function headerBits(version: number): number {
  return 4 + (version <= 9 ? 8 : 16);
}

export function encodeQr(text: string, opts: QrOptions = {}): QrCode {
  const level = opts.level ?? 'M';
  const data = new TextEncoder().encode(text);
  let version = 1;
  while (version <= MAX_VERSION && headerBits(version) + 8 * data.length > 8 * blockLayout(version, level).dataCodewords) version++;
  if (version > MAX_VERSION) throw new QrError(`${data.length} bytes do not fit in a QR code at level ${level}`);
  const layout = blockLayout(version, level);
  const codewords = interleave(dataCodewords(data, version, layout.dataCodewords), layout.dataPerBlock, layout.ecPerBlock);
  const { size, modules, mask } = buildMatrix(version, level, codewords, opts.mask);
  return { size, modules, version, level, mask };
}

/** §7.4: mode, count, the bytes, a terminator of up to 4 zero bits, zero bits to a byte, then 0xEC 0x11 … */
function dataCodewords(data: Uint8Array, version: number, capacity: number): Uint8Array {
  const out = new Uint8Array(capacity);
  let bit = 0;
  const put = (value: number, width: number) => {
    for (let i = width - 1; i >= 0; i--, bit++) if ((value >> i) & 1) out[bit >> 3]! |= 0x80 >> (bit & 7);
  };
  put(0b0100, 4);
  put(data.length, headerBits(version) - 4);
  for (const b of data) put(b, 8);
  bit += Math.min(4, capacity * 8 - bit); // the terminator: zeros already
  for (let i = Math.ceil(bit / 8), pad = 0xec; i < capacity; i++, pad ^= 0xec ^ 0x11) out[i] = pad;
  return out;
}

/** §7.6: split into blocks, add each block's EC codewords, then interleave data and EC column by column. */
function interleave(data: Uint8Array, dataPerBlock: readonly number[], ecLen: number): Uint8Array {
  const blocks: Uint8Array[] = [];
  let at = 0;
  for (const len of dataPerBlock) {
    blocks.push(data.subarray(at, at + len));
    at += len;
  }
  const ec = blocks.map((b) => ecCodewords(b, ecLen));
  const out: number[] = [];
  const longest = Math.max(...dataPerBlock);
  for (let i = 0; i < longest; i++) for (const b of blocks) if (i < b.length) out.push(b[i]!);
  for (let i = 0; i < ecLen; i++) for (const e of ec) out.push(e[i]!);
  return Uint8Array.from(out);
}

const FULL = '\u2588';
const UPPER = '\u2580';
const LOWER = '\u2584';
const MARGIN = 4;

/**
 * The symbol as text, two module rows per line, as `qrencode -t UTF8` draws
 * it for a dark terminal: light modules (and the 4-module quiet zone) are
 * block characters, dark modules are spaces.
 */
export function renderUtf8(qr: QrMatrix): string {
  const n = qr.size;
  const dark = (row: number, col: number) => row < n && qr.modules[row * n + col] === 1;
  const lines: string[] = [];
  const blank = FULL.repeat(n + 2 * MARGIN);
  for (let i = 0; i < MARGIN / 2; i++) lines.push(blank);
  for (let row = 0; row < n; row += 2) {
    let line = FULL.repeat(MARGIN);
    for (let col = 0; col < n; col++) {
      const top = dark(row, col);
      const bottom = dark(row + 1, col);
      line += top ? (bottom ? ' ' : LOWER) : bottom ? UPPER : FULL;
    }
    lines.push(line + FULL.repeat(MARGIN));
  }
  for (let i = 0; i < MARGIN / 2; i++) lines.push(blank);
  return lines.join('\n') + '\n';
}
