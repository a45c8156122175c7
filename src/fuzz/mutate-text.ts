// Text-aware mutators: base64 text (the SPA wire format) stays in the
// base64 alphabet so mutations get past the charset check, and config files
// are mutated a line or a token at a time so they get past the line syntax.
// Text is latin1 (one char per byte), so these compose with the byte mutators.
import { ascii, clip, text, type Mutator } from './mutate.js';
import type { Rng } from './rng.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function b64Char(rng: Rng): string {
  return B64[rng.below(64)]!;
}

function onText(f: (rng: Rng, s: string) => string): Mutator {
  return (rng, input, ctx) => clip(ascii(f(rng, text(input))), ctx.maxLen);
}

/** Replace, insert or delete base64 characters; sometimes add '=' padding or a stray character. */
export const b64Char1: Mutator = onText((rng, s) => {
  const at = rng.below(s.length + 1);
  switch (rng.below(6)) {
    case 0: return s.slice(0, at) + b64Char(rng) + s.slice(at + 1);
    case 1: return s.slice(0, at) + b64Char(rng) + s.slice(at);
    case 2: return s.slice(0, at) + s.slice(at + 1);
    case 3: return s + '='.repeat(rng.int(1, 2));
    case 4: return s.slice(0, at) + rng.pick(['=', ' ', '\n', '-', '_', '\0', '\xff', 'U2FsdGVkX1', 'hQ']) + s.slice(at);
    default: {
      // Change a run of 4 characters (one 3-byte group) at once.
      const g = at - (at % 4);
      let r = '';
      for (let i = 0; i < 4; i++) r += b64Char(rng);
      return s.slice(0, g) + r + s.slice(g + 4);
    }
  }
});

/** Cut or grow the text to a length near one that matters (a multiple of 4, 16-byte blocks, the packet limits). */
export const b64Length: Mutator = onText((rng, s) => {
  const targets = [139, 140, 141, 399, 400, 1500, 1501, s.length - 1, s.length + 1, s.length - 4, s.length + 4,
    s.length - 22, s.length - 43, s.length - 86, s.length + 21, s.length - 27, s.length - 64];
  const n = Math.max(0, rng.pick(targets));
  if (n <= s.length) return s.slice(0, n);
  let r = s;
  while (r.length < n) r += b64Char(rng);
  return r;
});

function splitLines(s: string): string[] {
  return s.split('\n');
}

/** Line edits: delete, duplicate, swap, move, or splice in a line from another entry. */
export function lineMutator(): Mutator {
  return (rng, input, ctx) => {
    const lines = splitLines(text(input));
    const i = rng.below(lines.length);
    switch (rng.below(6)) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[i] ?? ''); break;
      case 2: {
        const j = rng.below(lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        break;
      }
      case 3: {
        const [l] = lines.splice(i, 1);
        lines.splice(rng.below(lines.length + 1), 0, l ?? '');
        break;
      }
      case 4: {
        if (ctx.corpus.length === 0) break;
        const other = splitLines(text(rng.pick(ctx.corpus)));
        lines.splice(i, rng.below(2), other[rng.below(other.length)]!);
        break;
      }
      default: {
        // Wrap, indent or comment a line.
        const l = lines[i] ?? '';
        lines[i] = rng.pick([`  ${l}`, `${l}  `, `#${l}`, `${l} # c`, `${l}\r`, `[${l}]`, `${l};`, `\t${l}`, l.toUpperCase(), l.toLowerCase()]);
      }
    }
    return clip(ascii(lines.join('\n')), ctx.maxLen);
  };
}

/** Values worth putting where a token was: boundaries, separators, overlong and odd text. */
const TOKEN_VALUES = [
  '', '0', '1', '-1', '65535', '65536', '4294967296', '99999999999999999999999', '1e3', '0x10', '+5', '007', '1.5', 'NaN',
  ',', ',,', ':', '::', '/', '=', '==', '#', ';', '[', ']', '%', '%IP%', '%IP', '\\', '"', "'", '*', '!', 'ANY',
  'tcp', 'udp', 'icmp', 'TCP', 'syn', '!ack', 'syn,ack', 'fin,syn,rst,psh,ack,urg', 'Y', 'N', 'yes', 'no',
  '0.0.0.0', '255.255.255.255', '1.2.3.4/33', '::', '::1', '2001:db8::/129', 'fe80::1%eth0', '1.2.3', '256.1.1.1',
  'x'.repeat(300), 'é', '\u{1f600}', '\0', '\t', ' ', '  ', 'sha256', 'sha3_512', 'md5', 'cbc', 'legacy',
  'tcp/22', 'udp/0', 'tcp/65536', 'icmp/1', '7000:udp', '7000:tcp', 'a'.repeat(1100),
];

const TOKEN_SPLIT = /([ \t,:;=/\n[\]]+)/;

/** Replace, duplicate or delete one token (the text between separators) of the text. */
export function tokenMutator(words: readonly string[]): Mutator {
  return (rng, input, ctx) => {
    const parts = text(input).split(TOKEN_SPLIT);
    const tokens: number[] = [];
    for (let i = 0; i < parts.length; i += 2) tokens.push(i);
    const i = rng.pick(tokens);
    switch (rng.below(5)) {
      case 0: parts[i] = rng.pick(TOKEN_VALUES); break;
      case 1: parts[i] = words.length > 0 ? rng.pick(words) : rng.pick(TOKEN_VALUES); break;
      case 2: parts[i] = ''; break;
      case 3: parts[i] = `${parts[i]}${rng.pick([',', ' ', ':', '/'])}${parts[i]}`; break;
      default: {
        // A number nudged past its bound.
        const n = Number(parts[i]);
        parts[i] = Number.isFinite(n) && parts[i] !== '' ? String(n + rng.pick([-1, 1, 65536, -65536, 2 ** 31, 2 ** 32])) : rng.pick(TOKEN_VALUES);
      }
    }
    return clip(ascii(parts.join('')), ctx.maxLen);
  };
}

/** Insert a whole `key = value` (or `KEYWORD value`) line using a known key. */
export function keyLineMutator(keys: readonly string[], separator: string): Mutator {
  return (rng, input, ctx) => {
    const lines = splitLines(text(input));
    const key = rng.pick(keys);
    lines.splice(rng.below(lines.length + 1), 0, `${key}${separator}${rng.pick(TOKEN_VALUES)}`);
    return clip(ascii(lines.join('\n')), ctx.maxLen);
  };
}
