// `fwknop --key-gen` (lib/fko_funcs.c fko_key_gen()): a 32-byte Rijndael key
// and an HMAC key sized for the HMAC digest, printed as fwknop prints them,
// and the token string Fwknop2 reads from a QR code (extras/console-qr.sh:
// `KEY_BASE64:… HMAC_KEY_BASE64:…`, split on spaces and then on `:`).
import { parseArgs, UsageError, type OptionSpec } from '../cli/args.js';
import type { HmacDigest } from '../spa/types.js';
import { usage } from './errors.js';
import { parseDigest, ValueProblem } from './settings.js';

/** RIJNDAEL_MAX_KEYSIZE; the library refuses longer keys. */
export const MAX_KEY_LEN = 32;
/** fwknop's key buffers (SHA512_BLOCK_LEN, MAX_KEY_LEN in the CLI). */
export const MAX_HMAC_KEY_LEN = 128;

/**
 * fko_key_gen()'s defaults: the block size for SHA-256/384/512 (64, 128,
 * 128) but the digest size for MD5 and SHA-1 (16, 20). fwknop 2.6.10 has no
 * default for SHA3 and fails; portcullis uses the SHA3 block size capped at
 * fwknop's 128-byte limit: 128 for sha3_256 (block 136), 72 for sha3_512.
 */
export const DEFAULT_HMAC_KEY_LEN: Readonly<Record<HmacDigest, number>> = {
  md5: 16, sha1: 20, sha256: 64, sha384: 128, sha512: 128, 'sha3-256': 128, 'sha3-512': 72,
};

export interface KeygenRequest {
  readonly hmacDigest: HmacDigest;
  readonly keyLen: number;
  readonly hmacKeyLen: number;
  readonly qr: boolean;
}

export interface GeneratedKeys {
  readonly keyBase64: string;
  readonly hmacKeyBase64: string;
}

export function generateKeys(req: KeygenRequest, randomBytes: (n: number) => Uint8Array): GeneratedKeys {
  return {
    keyBase64: Buffer.from(randomBytes(req.keyLen)).toString('base64'),
    hmacKeyBase64: Buffer.from(randomBytes(req.hmacKeyLen)).toString('base64'),
  };
}

/** Exactly fwknop's two lines (standard base64 with its `=` padding). */
export function keygenLines(k: GeneratedKeys): string[] {
  return [`KEY_BASE64: ${k.keyBase64}`, `HMAC_KEY_BASE64: ${k.hmacKeyBase64}`];
}

/** What Fwknop2 scans. */
export function fwknop2Tokens(k: GeneratedKeys): string {
  return `KEY_BASE64:${k.keyBase64} HMAC_KEY_BASE64:${k.hmacKeyBase64}`;
}

export type KeygenCommand = { readonly kind: 'help' } | ({ readonly kind: 'keygen' } & KeygenRequest);

/** Exported for src/cli/help/reference.test.ts (every option has its help). */
export const KEYGEN_OPTIONS: readonly OptionSpec[] = [
  { long: 'hmac-digest-type', value: true },
  { long: 'key-len', value: true },
  { long: 'hmac-key-len', value: true },
  { long: 'qr' },
  { long: 'help', short: 'h' },
];

export function parseKeygenArgs(argv: readonly string[]): KeygenCommand {
  let p;
  try {
    p = parseArgs(argv, KEYGEN_OPTIONS);
  } catch (e) {
    if (e instanceof UsageError) throw usage(e.message);
    throw e;
  }
  if (p.flags.has('help')) return { kind: 'help' };
  if (p.positional.length > 0) throw usage(`unexpected argument '${p.positional[0]}'`);
  const last = (name: string) => p.values.get(name)?.at(-1);
  let hmacDigest: HmacDigest = 'sha256';
  const digestText = last('hmac-digest-type');
  if (digestText !== undefined) {
    try {
      hmacDigest = parseDigest(digestText);
    } catch (e) {
      if (e instanceof ValueProblem) throw usage(`--hmac-digest-type: ${e.message}`);
      throw e;
    }
  }
  const keyLen = length(last('key-len'), '--key-len', MAX_KEY_LEN) ?? MAX_KEY_LEN;
  const hmacKeyLen = length(last('hmac-key-len'), '--hmac-key-len', MAX_HMAC_KEY_LEN) ?? DEFAULT_HMAC_KEY_LEN[hmacDigest];
  return { kind: 'keygen', hmacDigest, keyLen, hmacKeyLen, qr: p.flags.has('qr') };
}

function length(text: string | undefined, name: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^[0-9]{1,4}$/.test(text) ? Number(text) : NaN;
  if (n >= 1 && n <= max) return n;
  throw usage(`${name}: "${text}" is not a key length; expected 1-${max} bytes`);
}
