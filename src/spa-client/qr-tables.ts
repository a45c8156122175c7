// The size tables of QR Code model 2 (ISO/IEC 18004:2015 §6.5, Table 9 and
// Annex E) for error correction levels L and M, versions 1–40. Only what the
// encoder needs: per version, the EC codewords per block and the block count;
// everything else (module counts, alignment positions) follows by formula.

export type EcLevel = 'L' | 'M';

/** Index = version (0 unused). Table 9, "number of error correction codewords per block". */
const EC_PER_BLOCK: Record<EcLevel, readonly number[]> = {
  L: [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  M: [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
};

/** Index = version. Table 9, total number of error correction blocks. */
const BLOCKS: Record<EcLevel, readonly number[]> = {
  L: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  M: [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
};

/** Two bits of the format information (§7.9.1, Table 12). */
export const EC_FORMAT_BITS: Record<EcLevel, number> = { L: 0b01, M: 0b00 };

export const MAX_VERSION = 40;

export function sizeOf(version: number): number {
  return 17 + 4 * version;
}

/** Centre coordinates of the alignment patterns, the same list for rows and columns (Annex E). */
export function alignmentPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const last = sizeOf(version) - 7;
  // Annex E spaces the patterns evenly from the last one back towards 6, each
  // step even; the first gap takes what is left (version 32 is the one whose
  // rounding the general rule gets wrong, Table E.1 has 26 there).
  const step = version === 32 ? 26 : Math.ceil((last - 6) / (count - 1) / 2) * 2;
  const positions = [6];
  for (let i = count - 2; i >= 0; i--) positions.push(last - i * step);
  return positions;
}

/** Modules left for data and EC codewords once every function pattern is placed (§7.4.1). */
export function rawDataModules(version: number): number {
  const size = sizeOf(version);
  let modules = size * size;
  modules -= 3 * 64; // finders with their separators
  modules -= 2 * (size - 16); // timing patterns between the separators
  modules -= 31; // both copies of the format information and the dark module
  const align = alignmentPositions(version).length;
  if (align > 0) {
    modules -= 25 * (align * align - 3); // no patterns under the three finders
    modules += 10 * (align - 2); // those on row/column 6 overlap the timing patterns by 5 modules each
  }
  if (version >= 7) modules -= 36; // both version information blocks
  return modules;
}

export interface BlockLayout {
  /** Data codewords in each block, in order (short blocks first, §7.5.2). */
  readonly dataPerBlock: readonly number[];
  readonly ecPerBlock: number;
  readonly dataCodewords: number;
  readonly totalCodewords: number;
}

export function blockLayout(version: number, level: EcLevel): BlockLayout {
  const total = Math.floor(rawDataModules(version) / 8);
  const blocks = BLOCKS[level][version]!;
  const ec = EC_PER_BLOCK[level][version]!;
  const shortLen = Math.floor(total / blocks);
  const longCount = total % blocks;
  const dataPerBlock = Array.from({ length: blocks }, (_, i) => shortLen - ec + (i >= blocks - longCount ? 1 : 0));
  return { dataPerBlock, ecPerBlock: ec, dataCodewords: total - ec * blocks, totalCodewords: total };
}
