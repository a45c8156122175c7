// `portcullis keygen`: Rijndael and HMAC keys as `fwknop --key-gen` prints
// them, for access.conf / ~/.fwknoprc; --qr adds the QR code Fwknop2 scans.
import { randomBytes } from 'node:crypto';
import { SpaClientError } from '../spa-client/errors.js';
import { DEFAULT_HMAC_KEY_LEN, fwknop2Tokens, generateKeys, keygenLines, parseKeygenArgs } from '../spa-client/keygen.js';
import { encodeQr, renderUtf8 } from '../spa-client/qr.js';
import { digestName } from '../spa-client/settings.js';
import type { HmacDigest } from '../spa/types.js';

const defaults = (Object.entries(DEFAULT_HMAC_KEY_LEN) as Array<[HmacDigest, number]>).map(([d, n]) => `${digestName(d)} ${n}`).join(', ');

export const USAGE = `usage: portcullis keygen [--hmac-digest-type T] [--key-len N] [--hmac-key-len N] [--qr]

Prints a new Rijndael key and HMAC key exactly as fwknop --key-gen does:
  KEY_BASE64: ...
  HMAC_KEY_BASE64: ...
Put both in the server's access.conf stanza and in the client's ~/.fwknoprc
(or pass them as --key-base64-rijndael / --key-base64-hmac).

  --hmac-digest-type T   md5 sha1 sha256 (default) sha384 sha512 sha3_256 sha3_512;
                         sizes the HMAC key: ${defaults} bytes
  --key-len N            encryption key bytes, 1-32 (default 32)
  --hmac-key-len N       HMAC key bytes, 1-128
  --qr                   also print "KEY_BASE64:... HMAC_KEY_BASE64:..." as a
                         QR code (for Fwknop2 on Android), drawn for a dark terminal`;

export interface KeygenDeps {
  readonly randomBytes: (n: number) => Uint8Array;
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
}

const systemDeps = (): KeygenDeps => ({
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (line) => console.error(line),
});

export async function run(argv: string[], deps: KeygenDeps = systemDeps()): Promise<number> {
  let cmd;
  try {
    cmd = parseKeygenArgs(argv);
  } catch (e) {
    if (!(e instanceof SpaClientError)) throw e;
    deps.err(`portcullis keygen: ${e.message}\n${USAGE}`);
    return 1;
  }
  if (cmd.kind === 'help') { deps.out(USAGE); return 0; }
  const keys = generateKeys(cmd, deps.randomBytes);
  deps.out(keygenLines(keys).join('\n'));
  if (cmd.qr) deps.out(`\n${renderUtf8(encodeQr(fwknop2Tokens(keys)))}`);
  return 0;
}
