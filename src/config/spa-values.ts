// Values of the SPA door keys (spa-door.ts), as fwknopd's access.conf takes
// them (fwknop.md §2.3). Pure: text in, value out, or an InvalidValueError
// saying what is expected.
import type { Cidr, SpaDigest } from './model.js';
import { InvalidValueError } from './errors.js';
import { parseAllowList, parseSeconds } from './values.js';
import { stripTrailingComment } from './sequence.js';

/** fwknopd accepts MAX_SPA_PACKET_AGE up to 100000 s. */
const MAX_PACKET_AGE_S = 100_000;

/** `[options] max_spa_packet_age = SECONDS`: 1 to 100000. */
export function parseMaxPacketAge(text: string): number {
  const ms = parseSeconds(text, 1);
  if (ms > MAX_PACKET_AGE_S * 1000) {
    throw new InvalidValueError('CONFIG_BAD_NUMBER', `${ms / 1000} seconds is out of range; expected a whole number of seconds from 1 to ${MAX_PACKET_AGE_S}`);
  }
  return ms;
}

const PORT = /^[0-9]{1,5}$/;

export function parseSpaPort(text: string): number {
  const value = stripTrailingComment(text);
  const n = Number(value);
  if (!PORT.test(value) || n < 1 || n > 65535) {
    throw new InvalidValueError('CONFIG_BAD_PORT', `"${value}" is not a UDP port number; expected 1-65535 (fwknop's default is 62201)`);
  }
  return n;
}

export function parseSpaListen(text: string): 'pcap' | 'socket' {
  const value = text.trim().toLowerCase();
  if (value === 'pcap' || value === 'socket') return value;
  throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not a way to receive SPA packets; expected pcap (capture, nothing listens) or socket (bind the UDP port)`);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PLACEHOLDER = '__CHANGEME__';

/** Standard base64 (padding optional, as fwknop writes it), decoded to `min`–`max` bytes. */
export function parseBase64Key(text: string, what: string, max: number): Uint8Array {
  const value = text.trim();
  const bare = value.replace(/=+$/, '');
  if (value === '' || !BASE64.test(value) || bare.length % 4 === 1 || (value.includes('=') && value.length % 4 !== 0)) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `not base64; expected the ${what} in standard base64, as fwknop --key-gen prints it (e.g. ${what === 'HMAC key' ? 'HMAC_KEY_BASE64' : 'KEY_BASE64'}: …)`);
  }
  const bytes = new Uint8Array(Buffer.from(bare, 'base64'));
  if (bytes.length < 1 || bytes.length > max) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `decodes to ${bytes.length} bytes; expected a ${what} of 1 to ${max} bytes`);
  }
  return bytes;
}

/** A passphrase (`key`, `hmac_key`): its UTF-8 bytes, verbatim, 1–`max` of them. */
export function parsePassphrase(text: string, what: string, max: number): Uint8Array {
  if (text === PLACEHOLDER) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `${PLACEHOLDER} is fwknop's placeholder; expected a real ${what}`);
  }
  const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
  if (bytes.length < 1 || bytes.length > max) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `${bytes.length} bytes; expected a ${what} of 1 to ${max} bytes`);
  }
  return bytes;
}

const DIGESTS: Readonly<Record<string, SpaDigest>> = {
  md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
  sha3_256: 'sha3-256', sha3_512: 'sha3-512', 'sha3-256': 'sha3-256', 'sha3-512': 'sha3-512',
};

/** fwknop's spelling (`sha3_256`), case-insensitive; `sha3-256` is accepted too. */
export function parseHmacDigest(text: string): SpaDigest {
  const found = DIGESTS[text.trim().toLowerCase()];
  if (!found) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not an HMAC digest; expected one of md5, sha1, sha256, sha384, sha512, sha3_256, sha3_512`);
  }
  return found;
}

export function parseEncryptionMode(text: string): 'cbc' | 'legacy' {
  const value = text.trim().toLowerCase();
  if (value === 'cbc' || value === 'legacy') return value;
  throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not a supported encryption mode; expected cbc (fwknop's default) or legacy (pre-2.5 clients)`);
}

/** fwknop's validate_username(): printable, none of `"/\[]:;|=,+*?<>`, and short enough to decode (b64 ≤ 64). */
export function parseUsername(text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (text === '' || bytes > 48 || !/^[\x21-\x7e]+$/.test(text) || /["/\\[\]:;|=,+*?<>]/.test(text)) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" cannot be an fwknop username; expected 1 to 48 printable characters without spaces or any of " / \\ [ ] : ; | = , + * ? < >`);
  }
  return text;
}

/** `source = ANY` (fwknopd's spelling) or networks; ANY is the empty list. */
export function parseSource(text: string): Cidr[] {
  if (text.trim().toLowerCase() === 'any') return [];
  return parseAllowList(text);
}
