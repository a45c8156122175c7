// `portcullis keygen`: Rijndael and HMAC keys as `fwknop --key-gen` prints
// them, for access.conf / ~/.fwknoprc; --qr adds the QR code Fwknop2 scans.
import { randomBytes } from 'node:crypto';
import { SpaClientError } from '../spa-client/errors.js';
import { fwknop2Tokens, generateKeys, keygenLines, parseKeygenArgs } from '../spa-client/keygen.js';
import { encodeQr, renderUtf8 } from '../spa-client/qr.js';
import { commandHelp } from './help/reference.js';
import { commandUsage } from './help/render-text.js';

// Help: src/cli/help/commands-client.ts (the parser's table must match it: reference.test.ts).
export const USAGE = commandUsage(commandHelp('keygen'));

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
