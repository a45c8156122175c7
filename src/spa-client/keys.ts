// Key material from the settings (command line or rc file) to the codec's
// SpaKeys, with fwknop's rules (client/fwknop.c get_keys()): an HMAC key
// turns HMAC on by itself; --use-hmac without a key is an error here (fwknop
// would prompt for one); keys 1–32 bytes, HMAC keys 1–128, never equal.
import { validateSpaKeys } from '../spa/codec.js';
import type { SpaKeys } from '../spa/types.js';
import { SpaClientError } from './errors.js';
import type { KeyText, SpaSettings } from './settings.js';

/** Padded or unpadded standard base64 (fwknop's is_base64() also allows `=`). */
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

export function keyBytes(k: KeyText): Uint8Array {
  if (k.encoding === 'text') {
    if (k.value === '') throw new SpaClientError('SPA_CLIENT_KEYS', `${k.from}: the key is empty`);
    return new Uint8Array(Buffer.from(k.value, 'utf8'));
  }
  if (!BASE64_RE.test(k.value) || k.value.replace(/=+$/, '').length % 4 === 1) {
    throw new SpaClientError('SPA_CLIENT_KEYS', `${k.from}: "${k.value}" is not base64 (fwknop --key-gen / portcullis keygen print keys in base64)`);
  }
  return new Uint8Array(Buffer.from(k.value, 'base64'));
}

export interface KeyOptions {
  /** Encoding: legacy mode and HMAC exclude each other (the client refuses, fwknop.md §1.5). */
  readonly forEncode: boolean;
}

export function spaKeys(s: SpaSettings, opts: KeyOptions): SpaKeys {
  if (!s.key) {
    throw new SpaClientError(
      'SPA_CLIENT_KEYS',
      'no encryption key: give --key-base64-rijndael KEY (or --key-rijndael PASSPHRASE), or KEY_BASE64 in the -n stanza (portcullis keygen makes one)',
    );
  }
  if (s.useHmac && !s.hmacKey && opts.forEncode) {
    throw new SpaClientError(
      'SPA_CLIENT_KEYS',
      'HMAC is on (--use-hmac, --hmac-digest-type or USE_HMAC Y) but no HMAC key was given: add --key-base64-hmac KEY (or --key-hmac PASSPHRASE, or HMAC_KEY_BASE64 in the stanza)',
    );
  }
  const encryption = keyBytes(s.key);
  const hmac = s.hmacKey ? keyBytes(s.hmacKey) : undefined;
  const keys: SpaKeys = {
    encryption,
    ...(hmac ? { hmac, hmacDigest: s.hmacDigest ?? 'sha256' } : {}),
    mode: s.mode ?? 'cbc',
  };
  const problem = validateSpaKeys(keys, opts.forEncode);
  if (problem) throw new SpaClientError('SPA_CLIENT_KEYS', keyProblem(problem.message, s), { cause: problem });
  return keys;
}

/** Names the option or rc line behind a key the codec refused. */
function keyProblem(message: string, s: SpaSettings): string {
  if (/HMAC key is/.test(message) && s.hmacKey) return `${s.hmacKey.from}: ${message}`;
  if (/encryption key is/.test(message) && s.key) return `${s.key.from}: ${message}`;
  return message;
}
