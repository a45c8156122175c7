// Building the QR symbol from its codewords (ISO/IEC 18004:2015 §7.6–7.10):
// function patterns, the data zig-zag, the eight masks, format and version
// information. Rows and columns count from the top-left corner.
import { chooseMask } from './qr-penalty.js';
import { alignmentPositions, EC_FORMAT_BITS, sizeOf, type EcLevel } from './qr-tables.js';

export interface QrMatrix {
  readonly size: number;
  /** 1 = dark, row-major. */
  readonly modules: Uint8Array;
}

class Grid {
  readonly modules: Uint8Array;
  /** 1 where a function pattern (or reserved format/version area) sits. */
  readonly fixed: Uint8Array;
  constructor(readonly size: number) {
    this.modules = new Uint8Array(size * size);
    this.fixed = new Uint8Array(size * size);
  }
  set(row: number, col: number, dark: boolean): void {
    const i = row * this.size + col;
    this.modules[i] = dark ? 1 : 0;
    this.fixed[i] = 1;
  }
}

/** §7.8: the mask conditions; a module is inverted where the condition holds. */
export const MASKS: ReadonlyArray<(row: number, col: number) => boolean> = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
];

/**
 * The symbol for `codewords` (data and EC, already interleaved). `mask`
 * forces a mask pattern; by default the one with the lowest penalty is used.
 */
export function buildMatrix(version: number, level: EcLevel, codewords: Uint8Array, mask?: number): QrMatrix & { mask: number } {
  const grid = new Grid(sizeOf(version));
  drawFunctionPatterns(grid, version);
  placeData(grid, codewords);
  const candidates = mask === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [mask];
  const masked = candidates.map((m) => {
    const modules = applyMask(grid, m);
    drawFormat(grid.size, modules, level, m);
    return modules;
  });
  const best = mask === undefined ? chooseMask(grid.size, masked) : 0;
  return { size: grid.size, modules: masked[best]!, mask: candidates[best]! };
}

function drawFunctionPatterns(g: Grid, version: number): void {
  const n = g.size;
  // Timing patterns (§7.3.5) first: the finders and alignment patterns overwrite their ends.
  for (let i = 0; i < n; i++) {
    g.set(6, i, i % 2 === 0);
    g.set(i, 6, i % 2 === 0);
  }
  finder(g, 0, 0);
  finder(g, 0, n - 7);
  finder(g, n - 7, 0);
  const centres = alignmentPositions(version);
  const last = centres.length - 1;
  for (let a = 0; a <= last; a++) {
    for (let b = 0; b <= last; b++) {
      // None where a finder sits (§6.3.6).
      if ((a === 0 && b === 0) || (a === 0 && b === last) || (a === last && b === 0)) continue;
      alignment(g, centres[a]!, centres[b]!);
    }
  }
  // Reserve the format areas (written per mask later) and set the dark module (§7.9.1).
  for (let i = 0; i < 9; i++) {
    reserve(g, 8, i);
    reserve(g, i, 8);
  }
  for (let i = 0; i < 8; i++) {
    reserve(g, 8, n - 1 - i);
    reserve(g, n - 1 - i, 8);
  }
  g.set(n - 8, 8, true);
  if (version >= 7) drawVersion(g, version);
}

function reserve(g: Grid, row: number, col: number): void {
  if (!g.fixed[row * g.size + col]) g.set(row, col, false);
}

/** A 7×7 finder with its light separator, top-left corner at (row, col) (§6.3.3). */
function finder(g: Grid, row: number, col: number): void {
  for (let dr = -1; dr <= 7; dr++) {
    for (let dc = -1; dc <= 7; dc++) {
      const r = row + dr;
      const c = col + dc;
      if (r < 0 || c < 0 || r >= g.size || c >= g.size) continue;
      const ring = Math.max(Math.abs(dr - 3), Math.abs(dc - 3));
      g.set(r, c, ring !== 2 && ring !== 4);
    }
  }
}

function alignment(g: Grid, row: number, col: number): void {
  for (let dr = -2; dr <= 2; dr++) {
    for (let dc = -2; dc <= 2; dc++) g.set(row + dr, col + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
  }
}

/** §7.10: 6 version bits and a (18,6) BCH code, generator 0x1f25, in two 6×3 blocks. */
function drawVersion(g: Grid, version: number): void {
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >> 11) * 0x1f25);
  const bits = (version << 12) | rem;
  for (let i = 0; i < 18; i++) {
    const dark = ((bits >> i) & 1) === 1;
    const a = g.size - 11 + (i % 3);
    const b = Math.floor(i / 3);
    g.set(b, a, dark); // top right
    g.set(a, b, dark); // bottom left
  }
}

/** §7.7.3: two-module columns from the right, upwards then downwards, skipping the vertical timing pattern. */
function placeData(g: Grid, codewords: Uint8Array): void {
  const n = g.size;
  let bit = 0;
  const total = codewords.length * 8;
  let upward = true;
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let k = 0; k < n; k++) {
      const row = upward ? n - 1 - k : k;
      for (const col of [right, right - 1]) {
        const i = row * n + col;
        if (g.fixed[i]) continue;
        // Remainder bits past the last codeword stay light (§7.7.3).
        g.modules[i] = bit < total ? (codewords[bit >> 3]! >> (7 - (bit & 7))) & 1 : 0;
        bit++;
      }
    }
    upward = !upward;
  }
}

function applyMask(g: Grid, mask: number): Uint8Array {
  const out = Uint8Array.from(g.modules);
  const inverts = MASKS[mask]!;
  for (let row = 0; row < g.size; row++) {
    for (let col = 0; col < g.size; col++) {
      const i = row * g.size + col;
      if (!g.fixed[i] && inverts(row, col)) out[i] = out[i]! ^ 1;
    }
  }
  return out;
}

/** The 15 format bits: level and mask, a (15,5) BCH code with generator 0x537, XOR 0x5412 (§7.9.1). */
export function formatBits(level: EcLevel, mask: number): number {
  const data = (EC_FORMAT_BITS[level] << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

function drawFormat(n: number, modules: Uint8Array, level: EcLevel, mask: number): void {
  const bits = formatBits(level, mask);
  const put = (row: number, col: number, i: number) => (modules[row * n + col] = (bits >> i) & 1);
  // Around the top-left finder: bits 0–7 down column 8, 8–14 leftwards along row 8, skipping the timing pattern.
  for (let i = 0; i <= 5; i++) put(i, 8, i);
  put(7, 8, 6);
  put(8, 8, 7);
  put(8, 7, 8);
  for (let i = 9; i < 15; i++) put(8, 14 - i, i);
  // The copy: bits 0–7 along row 8 from the right edge, 8–14 up column 8 from the bottom.
  for (let i = 0; i < 8; i++) put(8, n - 1 - i, i);
  for (let i = 8; i < 15; i++) put(n - 15 + i, 8, i);
}
