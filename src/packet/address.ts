// Canonical address text straight from packet bytes, without intermediate
// arrays: IPv4 dotted quad, IPv6 per RFC 5952 (lowercase, no leading zeros,
// the first longest run of two or more zero groups as "::", IPv4-mapped
// addresses as ::ffff:a.b.c.d). This is inet_ntop's output except for the
// deprecated IPv4-compatible form (::/96), which stays hexadecimal as in
// RFC 5952 and src/config/address.ts, so a configured Target compares equal.

const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
/** A byte in hex without leading zeros. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));
/** A byte as exactly two hex digits. */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The IPv4 address in bytes `off`..`off+3`. */
export function formatIPv4(b: Uint8Array, off: number): string {
  return DEC[b[off]!]! + '.' + DEC[b[off + 1]!]! + '.' + DEC[b[off + 2]!]! + '.' + DEC[b[off + 3]!]!;
}

/** The IPv6 address in bytes `off`..`off+15`. */
export function formatIPv6(b: Uint8Array, off: number): string {
  // RFC 5952 §4.2.3: the longest run of zero groups (at least two), the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (b[off + 2 * i] === 0 && b[off + 2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) { bestStart = runStart; bestLen = i - runStart + 1; }
    } else {
      runStart = -1;
    }
  }
  // RFC 5952 §5: 0:0:0:0:0:ffff:a.b.c.d keeps its dotted quad.
  if (bestStart === 0 && bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) {
    return '::ffff:' + formatIPv4(b, off + 12);
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) s += ':';
    const hi = b[off + 2 * i]!;
    const lo = b[off + 2 * i + 1]!;
    s += hi === 0 ? HEX[lo]! : HEX[hi]! + HEX2[lo]!;
  }
  return s;
}
