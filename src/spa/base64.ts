// fwknop's base64 (lib/base64.c): the standard RFC 4648 alphabet, and every
// trailing `=` removed on output (strip_b64_eq()). fwknop's own b64_decode()
// stops at the first `=` and ignores the unused low bits of the last
// character; this decoder is strict instead: alphabet only, no `=`, no
// impossible length (4n+1), and the unused bits must be zero. Every string
// fwknop produces passes, and no second spelling of the same bytes does (a
// changed last character would otherwise decode to the same ciphertext and
// slip past a replay cache keyed on the wire text, see fwknop.md §2.7).

const ALPHABET = /^[A-Za-z0-9+/]*$/;

/** Unpadded standard base64 of the bytes (or of a string's latin1 bytes). */
export function b64encode(data: Uint8Array | string): string {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const s = buf.toString('base64');
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Whether every character is in [A-Za-z0-9+/] (fwknopd's is_base64(), minus `=`). */
export function isB64Alphabet(s: string): boolean {
  return ALPHABET.test(s);
}

function sextet(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41; // A-Z
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26; // a-z
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52; // 0-9
  return c === 0x2b ? 62 : 63; // '+' or '/', the alphabet was checked first
}

/** Strict unpadded decode; undefined when `s` is not the canonical spelling of some bytes. */
export function b64decodeStrict(s: string): Buffer | undefined {
  if (!ALPHABET.test(s)) return undefined;
  const rem = s.length % 4;
  if (rem === 1) return undefined;
  if (rem !== 0) {
    const unused = rem === 2 ? 0x0f : 0x03;
    if ((sextet(s.charCodeAt(s.length - 1)) & unused) !== 0) return undefined;
  }
  return Buffer.from(s, 'base64');
}

/** Strict decode of a b64 text field whose bytes must be printable ASCII (isprint()); undefined otherwise. */
export function b64decodePrintable(s: string): string | undefined {
  const buf = b64decodeStrict(s);
  if (buf === undefined) return undefined;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < 0x20 || b > 0x7e) return undefined;
  }
  return buf.toString('latin1');
}
