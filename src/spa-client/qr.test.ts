import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encodeQr, renderUtf8, type QrCode } from './qr.js';

// Two independent checks of the encoder: (1) the text printed by
// `qrencode -8 -l L|M -t UTF8` (libqrencode 4.1.1, recorded once, so the test
// needs no qrencode); (2) a small reader written here from the standard that
// finds the format, unmasks, de-interleaves, checks every Reed-Solomon block
// and reads the byte-mode text back.

const KEYS_256 =
  'KEY_BASE64:cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE= HMAC_KEY_BASE64:lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';
const KEYS_512 = `KEY_BASE64:${Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1)).toString('base64')} HMAC_KEY_BASE64:${Buffer.from(
  Array.from({ length: 128 }, (_, i) => 255 - i),
).toString('base64')}`;

const HELLO_M = `█████████████████████████████
█████████████████████████████
████ ▄▄▄▄▄ █ ▀▀ ██ ▄▄▄▄▄ ████
████ █   █ █▀█ █ █ █   █ ████
████ █▄▄▄█ ████ ▀█ █▄▄▄█ ████
████▄▄▄▄▄▄▄█ █▄▀ █▄▄▄▄▄▄▄████
████▄▀ ▄▀ ▄ █ ▀  ▀ ██ ▀▄▄████
████ █▀▀▄█▄▀█▄█ ██▀▀▀▀█ ▄████
█████▄█▄▄▄▄▄ ▀▀▀▄█▀▄██ █ ████
████ ▄▄▄▄▄ █ █▀▄▄██ ▀▀▀▀█████
████ █   █ █▀█▀▀▄▄ ▄  ▀ ▄████
████ █▄▄▄█ █▄▄▀█▄▀▄ ▀█▄█▀████
████▄▄▄▄▄▄▄█▄█▄██▄█▄█████████
█████████████████████████████
█████████████████████████████
`;

/** sha256 of `qrencode -8 -l LEVEL -t UTF8 -o - TEXT`. */
const QRENCODE_SHA256: ReadonlyArray<[string, 'L' | 'M', string]> = [
  ['HELLO', 'L', 'bb2495529818436552aaabcdab347db42e35ac50b7e75564252c3535fb94d16b'],
  [KEYS_256, 'L', 'ad9d832972137d993c7bfc88a7143f920211665c796fd1d73465599a0ae1e1b9'],
  [KEYS_256, 'M', 'a468cd20b871529a17bb45bd8278f6f465977df56f8705574cde4ecf798cb796'],
  [KEYS_512, 'L', '4f71fdd1cb25947166dfeadaf17269ac35adb99575ebe96ab4674af336c80c08'],
  [KEYS_512, 'M', '57ce2b74acd1034fb1839e5aa9aa9030b209d0637698ad33c731aceb03f3e225'],
];

test('prints exactly what qrencode -8 -t UTF8 prints', () => {
  assert.equal(renderUtf8(encodeQr('HELLO', { level: 'M' })), HELLO_M);
  for (const [text, level, sha] of QRENCODE_SHA256) {
    const out = renderUtf8(encodeQr(text, { level }));
    assert.equal(createHash('sha256').update(out).digest('hex'), sha, `${level} ${text.slice(0, 20)}…`);
  }
});

test('versions grow with the text; M is the default level', () => {
  assert.deepEqual([encodeQr('HELLO').version, encodeQr('HELLO').level], [1, 'M']);
  assert.equal(encodeQr(KEYS_256, { level: 'L' }).version, 8);
  assert.equal(encodeQr(KEYS_256).version, 9);
  assert.equal(encodeQr(KEYS_512, { level: 'L' }).version, 10); // 16-bit character count from here
  assert.equal(encodeQr(KEYS_512).version, 11);
  assert.equal(encodeQr('x'.repeat(14)).version, 1); // 14 bytes = v1-M's capacity
  assert.equal(encodeQr('x'.repeat(15)).version, 2);
  assert.throws(() => encodeQr('x'.repeat(2332)), { code: 'QR_TOO_LONG' });
});

test('the independent reader reads every symbol back, all masks', () => {
  for (const text of ['HELLO', 'x'.repeat(15), KEYS_256, KEYS_512]) {
    for (const level of ['L', 'M'] as const) {
      const best = encodeQr(text, { level });
      assert.equal(readQr(best), text);
      for (let mask = 0; mask < 8; mask++) {
        const qr = encodeQr(text, { level, mask });
        assert.equal(qr.mask, mask);
        assert.equal(readQr(qr), text, `${level} mask ${mask}`);
      }
    }
  }
});

test('the reader is not vacuous: one flipped data module fails it', () => {
  const qr = encodeQr(KEYS_256);
  const modules = Uint8Array.from(qr.modules);
  modules[qr.size * qr.size - 1]! ^= 1; // bottom right: the first data bit
  assert.throws(() => readQr({ ...qr, modules }), /Reed-Solomon/);
});

test('the rendering is two module rows per line with a 4-module quiet zone', () => {
  const qr = encodeQr(KEYS_256);
  const lines = renderUtf8(qr).trimEnd().split('\n');
  assert.equal(lines.length, 2 + Math.ceil(qr.size / 2) + 2);
  for (const line of lines) assert.equal([...line].length, qr.size + 8);
  // The top-left finder's top row: dark modules are spaces under a light quiet zone.
  assert.ok(lines[2]!.startsWith('████ ▄▄▄▄▄ '));
});

// ---- a minimal reader, from ISO/IEC 18004 (not from the encoder) ----

/** Per (version, level) used above: EC codewords per block and the data length of each block. */
const BLOCKS: Record<string, [number, number[]]> = {
  '1L': [7, [19]], '1M': [10, [16]], '2L': [10, [34]], '2M': [16, [28]],
  '8L': [24, [97, 97]], '8M': [22, [38, 38, 39, 39]], '9L': [30, [116, 116]], '9M': [22, [36, 36, 36, 37, 37]],
  '10L': [18, [68, 68, 69, 69]], '10M': [26, [43, 43, 43, 43, 44]], '11L': [20, [81, 81, 81, 81]], '11M': [30, [50, 51, 51, 51, 51]],
};
const ALIGN: Record<number, number[]> = { 2: [6, 18], 8: [6, 24, 42], 9: [6, 26, 46], 10: [6, 28, 50], 11: [6, 30, 54] };

function readQr(qr: QrCode): string {
  const n = qr.size;
  const version = (n - 17) / 4;
  const at = (r: number, c: number) => qr.modules[r * n + c]!;
  // Format information, first copy (§7.9.1), against all 32 valid codewords.
  const rc: Array<[number, number]> = [[0, 8], [1, 8], [2, 8], [3, 8], [4, 8], [5, 8], [7, 8], [8, 8], [8, 7], [8, 5], [8, 4], [8, 3], [8, 2], [8, 1], [8, 0]];
  const read = rc.reduce((v, [r, c], i) => v | (at(r, c) << i), 0);
  const found = [...Array(32).keys()].find((d) => bch15(d) === read);
  assert.ok(found !== undefined, 'format information unreadable');
  const level = ({ 1: 'L', 0: 'M' } as Record<number, string>)[found >> 3];
  const mask = found & 7;
  assert.equal(level, qr.level);
  // Which modules carry data.
  const fn = new Uint8Array(n * n);
  const mark = (r0: number, c0: number, h: number, w: number) => {
    for (let r = r0; r < r0 + h; r++) for (let c = c0; c < c0 + w; c++) if (r >= 0 && c >= 0 && r < n && c < n) fn[r * n + c] = 1;
  };
  mark(0, 0, 9, 9); mark(0, n - 8, 9, 8); mark(n - 8, 0, 8, 9); // finders, separators, format
  const centres = ALIGN[version] ?? [];
  for (const r of centres) for (const c of centres) if (!fn[r * n + c]) mark(r - 2, c - 2, 5, 5); // not under a finder
  mark(6, 0, 1, n); mark(0, 6, n, 1); // timing
  if (version >= 7) { mark(0, n - 11, 6, 3); mark(n - 11, 0, 3, 6); }
  const inverted = [
    (i: number, j: number) => (i + j) % 2 === 0, (i: number) => i % 2 === 0, (_: number, j: number) => j % 3 === 0,
    (i: number, j: number) => (i + j) % 3 === 0, (i: number, j: number) => (((i / 2) | 0) + ((j / 3) | 0)) % 2 === 0,
    (i: number, j: number) => ((i * j) % 2) + ((i * j) % 3) === 0, (i: number, j: number) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
    (i: number, j: number) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
  ][mask]!;
  const bits: number[] = [];
  for (let right = n - 1, up = true; right > 0; right -= 2, up = !up) {
    if (right === 6) right--;
    for (let k = 0; k < n; k++) {
      const r = up ? n - 1 - k : k;
      for (const c of [right, right - 1]) if (!fn[r * n + c]) bits.push(at(r, c) ^ (inverted(r, c) ? 1 : 0));
    }
  }
  const codewords = Array.from({ length: bits.length >> 3 }, (_, i) => bits.slice(i * 8, i * 8 + 8).reduce((v, b) => (v << 1) | b, 0));
  const [ec, sizes] = BLOCKS[`${version}${level}`]!;
  const blocks = sizes.map(() => [] as number[]);
  let k = 0;
  for (let i = 0; i < Math.max(...sizes); i++) for (let b = 0; b < sizes.length; b++) if (i < sizes[b]!) blocks[b]!.push(codewords[k++]!);
  for (let i = 0; i < ec; i++) for (const block of blocks) block.push(codewords[k++]!);
  for (const block of blocks) assert.ok(syndromesZero(block, ec), 'a block fails its Reed-Solomon check');
  const data = blocks.flatMap((b, i) => b.slice(0, sizes[i]));
  const stream = data.flatMap((byte) => [7, 6, 5, 4, 3, 2, 1, 0].map((s) => (byte >> s) & 1));
  let p = 0;
  const take = (w: number) => stream.slice(p, (p += w)).reduce((v, b) => (v << 1) | b, 0);
  assert.equal(take(4), 0b0100, 'byte mode');
  const count = take(version <= 9 ? 8 : 16);
  return Buffer.from(Array.from({ length: count }, () => take(8))).toString('utf8');
}

function bch15(data: number): number {
  let rem = data << 10;
  for (let bit = 14; bit >= 10; bit--) if (rem & (1 << bit)) rem ^= 0x537 << (bit - 10);
  return ((data << 10) | rem) ^ 0x5412;
}

/** A codeword block is valid when it evaluates to 0 at α^0 … α^(ec−1). */
function syndromesZero(block: number[], ec: number): boolean {
  const exp: number[] = [];
  const log: number[] = [];
  for (let i = 0, x = 1; i < 255; i++, x = x & 0x80 ? ((x << 1) ^ 0x11d) & 0xff : x << 1) {
    exp.push(x);
    log[x] = i;
  }
  const mul = (a: number, b: number) => (a && b ? exp[(log[a]! + log[b]!) % 255]! : 0);
  for (let i = 0; i < ec; i++) {
    let s = 0;
    for (const c of block) s = mul(s, exp[i]!) ^ c;
    if (s !== 0) return false;
  }
  return true;
}
