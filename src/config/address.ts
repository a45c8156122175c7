// IP address literals, parsed to bytes and printed in canonical form, without
// node:net so the config stays pure. Canonical text matches the packet decoder:
// IPv4 dotted quad, IPv6 compressed per RFC 5952.

export interface Address {
  readonly family: 4 | 6;
  /** Big-endian, 4 or 16 bytes. */
  readonly bytes: Uint8Array;
}

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Parses `192.0.2.1` or `2001:db8::1` (also `::ffff:192.0.2.1`); undefined if not an address. */
export function parseAddress(text: string): Address | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(text);
  if (v6) return { family: 6, bytes: v6 };
  return undefined;
}

// Leading zeros are refused: inet_aton reads 010 as octal 8, so they are ambiguous.
function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!DECIMAL_OCTET.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return bytes;
}

function parseIPv6(text: string): Uint8Array | undefined {
  let body = text;
  let v4tail: Uint8Array | undefined;
  if (body.includes('.')) {
    // RFC 4291 §2.2 form 3: the last 32 bits written as a dotted quad.
    const cut = body.lastIndexOf(':');
    if (cut < 0) return undefined;
    v4tail = parseIPv4(body.slice(cut + 1));
    if (!v4tail) return undefined;
    body = `${body.slice(0, cut + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] | undefined => {
    if (half === '') return [];
    const g = half.split(':');
    return g.every((x) => HEX_GROUP.test(x)) ? g : undefined;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const all = [...head, ...new Array<string>(8 - count).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    const n = parseInt(g, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  });
  if (v4tail) bytes.set(v4tail, 12);
  return bytes;
}

export function formatAddress(a: Address): string {
  const b = a.bytes;
  if (a.family === 4) return Array.from(b).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${Array.from(b.subarray(12)).join('.')}`;
  }
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
