// Small value parsers for config keys. Each throws InvalidValueError with a
// message that says what is wrong and what is expected.
import type { Cidr } from './model.js';
import { parseAddress, formatAddress } from './address.js';
import { parseCidr } from './cidr.js';
import { InvalidValueError } from './errors.js';
import { stripTrailingComment } from './sequence.js';

const DIGITS = /^[0-9]+$/;
/** Node timers hold at most 2^31-1 ms, so longer durations would fire at once. */
export const MAX_SECONDS = Math.floor(0x7fffffff / 1000);
const MAX_COUNT = 0x7fffffff;

/** Whole seconds to milliseconds. A trailing ` # comment` is dropped (knockd's atoi ignored it). */
export function parseSeconds(text: string, min: number): number {
  const value = stripTrailingComment(text);
  const what = `a whole number of seconds from ${min} to ${MAX_SECONDS}`;
  if (!DIGITS.test(value)) {
    throw new InvalidValueError('CONFIG_BAD_NUMBER', `"${value}" is not a number of seconds; expected ${what}`);
  }
  const n = Number(value);
  if (n < min || n > MAX_SECONDS) {
    throw new InvalidValueError('CONFIG_BAD_NUMBER', `${value} seconds is out of range; expected ${what}`);
  }
  return n * 1000;
}

/** A whole number from `min`. A trailing ` # comment` is dropped, as for seconds. */
export function parseCount(text: string, min: number, max = MAX_COUNT): number {
  const value = stripTrailingComment(text);
  if (!DIGITS.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidValueError('CONFIG_BAD_NUMBER', `"${value}" is not a valid count; expected a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

export function parseYesNo(text: string): boolean {
  const value = text.toLowerCase();
  if (value === 'yes') return true;
  if (value === 'no') return false;
  throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not yes or no; expected yes or no`);
}

export function parsePath(text: string): string {
  if (text === '') throw new InvalidValueError('CONFIG_BAD_VALUE', 'no path given; expected a file or directory path');
  return text;
}

/** `eth0` or `eth0, wg0`. */
export function parseInterfaces(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  for (const name of names) {
    if (name === '' || /[\s/]/.test(name)) {
      throw new InvalidValueError('CONFIG_BAD_VALUE', `"${name}" is not an interface name; expected names like eth0, separated by commas`);
    }
  }
  return names;
}

/** `203.0.113.0/24, 2001:db8::/32, 198.51.100.7` */
export function parseAllowList(text: string): Cidr[] {
  if (text.trim() === '') {
    throw new InvalidValueError('CONFIG_BAD_ADDRESS', 'no networks given; expected addresses or networks separated by commas, e.g. 203.0.113.0/24');
  }
  return text.split(',').map((item) => parseCidr(item));
}

/** An IP literal, returned in canonical form so it compares equal to decoded packet addresses. */
export function parseTarget(text: string): string {
  const address = parseAddress(text);
  if (!address) {
    throw new InvalidValueError('CONFIG_BAD_ADDRESS', `"${text}" is not an IP address; expected an IPv4 or IPv6 address such as 192.0.2.50`);
  }
  return formatAddress(address);
}
