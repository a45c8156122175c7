// Values checked as literals before they go into an iptables/ip6tables or
// ipset argument or restore script. The restore parsers are the only
// interpreters (never a shell), but a space, quote or newline in a value
// would still change what a line means, so every value is checked or
// rebuilt from its parsed form first.
import { formatAddress, parseAddress } from '../config/address.js';
import { FirewallError, type EntryKey, type Proto, type Service } from './backend.js';

export type Family = 4 | 6;

/** iptables chain names are at most 28 characters (XT_EXTENSION_MAXNAMELEN - 1). */
const CHAIN = /^[A-Za-z][A-Za-z0-9_-]{0,27}$/;
/** ipset names are at most 31 characters (IPSET_MAXNAMELEN - 1); the family digit is appended. */
const SET_BASE = /^[A-Za-z][A-Za-z0-9_-]{0,29}$/;

/** The `-m time --datestop` range (iptables-extensions(8), time): up to 2038-01-19T04:17:07. */
const LAST_DATESTOP = 2 ** 31 - 1;

export function badValue(message: string): FirewallError {
  return new FirewallError('FIREWALL_BAD_VALUE', message);
}

/** Canonical text of an address literal (no prefix length), optionally of one family. */
export function literalAddress(text: string, family?: Family): { text: string; family: Family } {
  const parsed = typeof text === 'string' ? parseAddress(text) : undefined;
  if (parsed === undefined) throw badValue(`not an IP address literal: ${JSON.stringify(text)}`);
  if (family !== undefined && parsed.family !== family) throw badValue(`${text} is not an IPv${family} address`);
  return { text: formatAddress(parsed), family: parsed.family };
}

export function literalPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badValue(`port must be 1..65535, not ${JSON.stringify(port)}`);
  return port;
}

export function literalProto(proto: string): Proto {
  if (proto !== 'tcp' && proto !== 'udp') throw badValue(`protocol must be tcp or udp, not ${JSON.stringify(proto)}`);
  return proto;
}

export function literalService(s: Service): Service {
  return { proto: literalProto(s.proto), port: literalPort(s.port) };
}

/** The key in canonical form: address and forward host of the entry's family, ports and protocol checked. */
export function literalKey(e: EntryKey): EntryKey {
  const address = literalAddress(e.address);
  if (e.family !== address.family) throw badValue(`${e.address} is not an IPv${e.family} address`);
  const key = { address: address.text, family: address.family, service: literalService(e.service) };
  if (e.forward === undefined) return key;
  const host = literalAddress(e.forward.host, address.family).text;
  return { ...key, forward: { host, port: literalPort(e.forward.port) } };
}

export function literalChain(name: string): string {
  if (typeof name !== 'string' || !CHAIN.test(name)) {
    throw badValue(`chain name must be a letter then letters, digits, _ or - (at most 28), not ${JSON.stringify(name)}`);
  }
  return name;
}

export function literalSetBase(name: string): string {
  if (typeof name !== 'string' || !SET_BASE.test(name)) {
    throw badValue(`set name must be a letter then letters, digits, _ or - (at most 30), not ${JSON.stringify(name)}`);
  }
  return name;
}

/**
 * The unix second at which an entry stops: its expiry rounded up (a grant is
 * never cut short), and at least the next second (as secondsLeft: never 0).
 */
export function expirySecond(expiresAt: number, now: number): number {
  if (!Number.isFinite(expiresAt) || !Number.isFinite(now)) throw badValue(`expiry must be a time, not ${expiresAt}`);
  const exp = Math.max(Math.ceil(expiresAt / 1000), Math.floor(now / 1000) + 1);
  if (exp - 1 > LAST_DATESTOP) throw badValue(`expiry ${new Date(expiresAt).toISOString()} is past what -m time can hold (2038-01-19)`);
  return exp;
}

/**
 * `--datestop` for an entry that stops at unix second `exp`. xt_time matches
 * while now <= date_stop (whole seconds, UTC without --kerneltz), so the last
 * matching second is exp - 1.
 */
export function datestopFor(exp: number): string {
  return new Date((exp - 1) * 1000).toISOString().slice(0, 19);
}

export const DATESTOP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
