// Networks for the `allow` key: `203.0.113.0/24`, `2001:db8::/32`, or a bare
// address meaning just that host (/32 or /128).
import type { Cidr } from './model.js';
import { formatAddress, parseAddress } from './address.js';
import { InvalidValueError } from './errors.js';

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;
const EXPECTED = 'expected an IPv4 or IPv6 address, optionally followed by /prefix, e.g. 203.0.113.0/24 or 2001:db8::/32';

export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addrText = slash < 0 ? trimmed : trimmed.slice(0, slash).trim();
  const address = parseAddress(addrText);
  if (!address) throw new InvalidValueError('CONFIG_BAD_ADDRESS', `"${trimmed}" is not an address or network; ${EXPECTED}`);
  const max = address.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const prefixText = trimmed.slice(slash + 1).trim();
    prefix = PREFIX.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix <= max)) {
      throw new InvalidValueError('CONFIG_BAD_ADDRESS', `"${trimmed}" has a bad prefix length; expected /0 to /${max}`);
    }
  }
  const network = mask(address.bytes, prefix);
  const canonical = `${formatAddress({ family: address.family, bytes: network })}/${prefix}`;
  // A set host bit usually means a typo in the prefix length, which changes who may knock.
  if (!network.every((byte, i) => byte === address.bytes[i])) {
    throw new InvalidValueError('CONFIG_BAD_ADDRESS', `"${trimmed}" has host bits set after /${prefix}; expected the network address, ${canonical}`);
  }
  return { family: address.family, bytes: network, prefix, text: canonical };
}

/** Whether `address` (canonical text, as the packet decoder prints it) is inside `c`. */
export function cidrContains(c: Cidr, address: string): boolean {
  const a = parseAddress(address);
  if (!a || a.family !== c.family) return false;
  const masked = mask(a.bytes, c.prefix);
  return masked.every((byte, i) => byte === c.bytes[i]);
}

function mask(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    out[i] = bytes[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}
