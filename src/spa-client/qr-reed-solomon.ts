// Reed-Solomon error correction codewords for QR codes (ISO/IEC 18004:2015
// §7.5.2 and Annex A): GF(2^8) with the primitive polynomial
// x^8 + x^4 + x^3 + x^2 + 1 (0x11d), generator ∏(x − α^i) for i = 0…n−1.

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

export function gfMultiply(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

/** α^i. */
export function gfPower(i: number): number {
  return EXP[i % 255]!;
}

const generators = new Map<number, Uint8Array>();

/** The generator polynomial of degree n, highest coefficient (always 1) first. */
export function generator(n: number): Uint8Array {
  const known = generators.get(n);
  if (known) return known;
  let poly = Uint8Array.of(1);
  for (let i = 0; i < n; i++) {
    // poly × (x − α^i); in GF(2^8) minus is plus.
    const next = new Uint8Array(poly.length + 1);
    for (let j = 0; j < poly.length; j++) {
      next[j] = next[j]! ^ poly[j]!;
      next[j + 1] = next[j + 1]! ^ gfMultiply(poly[j]!, gfPower(i));
    }
    poly = next;
  }
  generators.set(n, poly);
  return poly;
}

/** The n EC codewords of `data`: the remainder of data(x)·x^n divided by the generator. */
export function ecCodewords(data: Uint8Array, n: number): Uint8Array {
  const gen = generator(n);
  const rem = new Uint8Array(n);
  for (const byte of data) {
    const factor = byte ^ rem[0]!;
    rem.copyWithin(0, 1);
    rem[n - 1] = 0;
    for (let i = 0; i < n; i++) rem[i] = rem[i]! ^ gfMultiply(gen[i + 1]!, factor);
  }
  return rem;
}
