// Values checked as literals before they go into a generated ruleset. The
// plan comes from a validated Config, but the generators are pure functions
// of whatever they are given, and a stray space, `;`, `}` or newline would
// change what an iptables-restore line or an nft script means. So every value
// is checked, or rebuilt from its parsed form, here (as src/firewall/nft-script.ts does).
import { formatAddress, parseAddress } from '../config/address.js';
import type { Cidr, PortRange, TcpFlag } from '../config/model.js';
import { TCP_FLAG_BITS } from '../config/model.js';
import { PortcullisError } from '../errors.js';
import type { Family, Proto } from './model.js';

export class RulesValueError extends PortcullisError {
  constructor(message: string) {
    super('RULES_BAD_VALUE', message);
  }
}

/** Door ids, list, set and chain name parts: a letter, then letters, digits and _. */
const ID = /^[A-Za-z][A-Za-z0-9_]{0,15}$/;
/** nft takes element timeouts up to 2^32-1 ms; parseSeconds stays below 2^31 ms. */
const MAX_SECONDS = 2_147_483;

export function literalId(id: string): string {
  if (typeof id !== 'string' || !ID.test(id)) throw new RulesValueError(`name must be a letter then up to 15 letters, digits or _, not ${JSON.stringify(id)}`);
  return id;
}

export function literalPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RulesValueError(`port must be 1..65535, not ${JSON.stringify(port)}`);
  return port;
}

export function literalRange(r: PortRange): PortRange {
  const from = literalPort(r.from);
  const to = literalPort(r.to);
  if (from > to) throw new RulesValueError(`port range ${from}-${to} runs backwards`);
  return { from, to };
}

export function literalProto(proto: string): Proto {
  if (proto !== 'tcp' && proto !== 'udp') throw new RulesValueError(`protocol must be tcp or udp, not ${JSON.stringify(proto)}`);
  return proto;
}

/** Whole seconds from `min`; the config keeps milliseconds, always whole seconds. */
export function literalSeconds(seconds: number, min = 1): number {
  if (!Number.isInteger(seconds) || seconds < min || seconds > MAX_SECONDS) {
    throw new RulesValueError(`a duration must be ${min}..${MAX_SECONDS} whole seconds, not ${JSON.stringify(seconds)}`);
  }
  return seconds;
}

export function literalFlag(flag: string): TcpFlag {
  if (!Object.hasOwn(TCP_FLAG_BITS, flag)) throw new RulesValueError(`not a TCP flag: ${JSON.stringify(flag)}`);
  return flag as TcpFlag;
}

/** An address in canonical text, of `family`. */
export function literalAddress(text: string, family: Family): string {
  const a = typeof text === 'string' ? parseAddress(text) : undefined;
  if (!a || a.family !== family) throw new RulesValueError(`not an IPv${family} address literal: ${JSON.stringify(text)}`);
  return formatAddress(a);
}

/** `203.0.113.0/24`, rebuilt from the network's bytes and prefix, never from its text. */
export function literalCidr(c: Cidr): string {
  const max = c.family === 4 ? 32 : 128;
  if ((c.family !== 4 && c.family !== 6) || c.bytes.length !== max / 8 || !Number.isInteger(c.prefix) || c.prefix < 0 || c.prefix > max) {
    throw new RulesValueError(`not a network: ${JSON.stringify(c.text)}`);
  }
  return `${formatAddress({ family: c.family, bytes: c.bytes })}/${c.prefix}`;
}

/** Text for a `#` comment line: no control characters (a newline would end the comment). */
export function commentText(text: string): string {
  return String(text).replace(/[\u0000-\u001f\u007f]/g, '?');
}
