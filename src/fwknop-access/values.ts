// Reading one access.conf value as fwknopd takes it: keys, SOURCE entries,
// OPEN_PORTS entries. Problems go to a Bad; a key is never echoed in one.
import { InvalidValueError, type ConfigErrorCode } from '../config/errors.js';
import { formatAddress, parseAddress } from '../config/address.js';
import { parseCidr } from '../config/cidr.js';
import { parseOpenPort } from '../config/firewall-values.js';

/** An error reporter bound to one line. */
export type Bad = (code: ConfigErrorCode, detail: string) => void;

const PLACEHOLDER = '__changeme__';
const MAX_KEY_BYTES = 32;
const MAX_HMAC_KEY_BYTES = 128;

/** `parse()`, or undefined with its InvalidValueError reported. */
export function convert<T>(bad: Bad, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof InvalidValueError)) throw e;
    bad(e.code, e.message);
    return undefined;
  }
}

function placeholder(value: string, bad: Bad): boolean {
  if (value.toLowerCase() !== PLACEHOLDER) return false;
  bad('CONFIG_BAD_VALUE',
    '__CHANGEME__ is the placeholder of fwknop\'s sample access.conf, and fwknopd refuses it too; expected a real key, e.g. from fwknop --key-gen (it prints KEY_BASE64 and HMAC_KEY_BASE64 lines)');
  return true;
}

/** KEY / HMAC_KEY: the bytes exactly as fwknopd takes them; the value is never echoed in a message. */
export function passphrase(raw: string, hmac: boolean, bad: Bad): Uint8Array | undefined {
  const value = raw.trimEnd();
  if (placeholder(value, bad)) return undefined;
  if (value !== raw) {
    bad('CONFIG_BAD_VALUE',
      'the key ends in blanks, which fwknopd keeps as part of the key but a Portcullis config value cannot hold; expected the key without them (on the clients too), or the same bytes as ' + (hmac ? 'HMAC_KEY_BASE64' : 'KEY_BASE64'));
    return undefined;
  }
  return withinLimit(new Uint8Array(Buffer.from(value, 'utf8')), hmac, 'the key is', bad);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function base64Key(value: string, hmac: boolean, bad: Bad): Uint8Array | undefined {
  if (placeholder(value, bad)) return undefined;
  const bare = value.replace(/=+$/, '');
  if (!BASE64.test(value) || bare.length % 4 === 1 || (value.includes('=') && value.length % 4 !== 0)) {
    bad('CONFIG_BAD_VALUE', `not base64; expected the key in standard base64, as fwknop --key-gen prints it`);
    return undefined;
  }
  return withinLimit(new Uint8Array(Buffer.from(bare, 'base64')), hmac, 'decodes to', bad);
}

/** The key bytes, or undefined when fwknop could not use that many; `lead` starts the message. */
function withinLimit(bytes: Uint8Array, hmac: boolean, lead: string, bad: Bad): Uint8Array | undefined {
  const max = hmac ? MAX_HMAC_KEY_BYTES : MAX_KEY_BYTES;
  if (bytes.length <= max) return bytes;
  bad('CONFIG_BAD_VALUE', `${lead} ${bytes.length} bytes; expected ${hmac ? 'an HMAC key' : 'a Rijndael key'} of 1 to ${max} bytes (fwknop cannot use a longer one)`);
  return undefined;
}

/** An address or network; fwknop also writes the mask dotted (`10.0.0.0/255.0.0.0`). */
export function sourceItem(item: string): string {
  if (item === '') {
    throw new InvalidValueError('CONFIG_BAD_ADDRESS',
      'empty entry (a stray comma?); expected ANY, or addresses and networks separated by commas, e.g. 192.168.10.0/24, 10.1.1.123');
  }
  let text = item;
  const slash = item.indexOf('/');
  if (slash >= 0 && item.slice(slash + 1).includes('.')) {
    const mask = parseAddress(item.slice(slash + 1).trim());
    const prefix = mask?.family === 4 ? prefixOf(mask.bytes) : -1;
    if (prefix < 0) {
      throw new InvalidValueError('CONFIG_BAD_ADDRESS', `"${item}" has a mask that is not a run of leading ones; expected /PREFIX or a mask such as /255.255.255.0`);
    }
    text = `${item.slice(0, slash)}/${prefix}`;
  }
  const network = parseCidr(text);
  const host = slash < 0;
  return host ? formatAddress(network) : network.text;
}

/** The prefix length of a contiguous IPv4 mask, else -1. */
function prefixOf(bytes: Uint8Array): number {
  const bits = Array.from(bytes, (b) => b.toString(2).padStart(8, '0')).join('');
  const ones = bits.indexOf('0') < 0 ? 32 : bits.indexOf('0');
  return bits.includes('1', ones) ? -1 : ones;
}

/** `tcp/22, udp/1194`: fwknop needs the protocol on every entry. */
export function openPorts(value: string, bad: Bad): string | undefined {
  const ports: string[] = [];
  for (const item of value.split(',').map((s) => s.trim())) {
    if (item === '') {
      bad('CONFIG_BAD_VALUE', 'empty entry (a stray comma?); expected PROTO/PORT entries separated by commas, e.g. tcp/22, udp/1194');
      return undefined;
    }
    if (!item.includes('/')) {
      bad('CONFIG_BAD_PROTOCOL', `"${item}" has no protocol, and fwknopd refuses a bare port; expected tcp/${item} or udp/${item}`);
      return undefined;
    }
    const port = convert(bad, () => parseOpenPort(item));
    if (!port) return undefined;
    const text = `${port.proto}/${port.port}`;
    if (!ports.includes(text)) ports.push(text);
  }
  return ports.join(', ');
}
