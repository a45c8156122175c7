// Value parsers for the firewall keys: what a door opens (`open = tcp/22,
// udp/1194`), what it forwards (`forward = tcp/13389 -> 10.0.0.5:3389`), the
// doors it revokes, and the [options] backend keys. Pure; each throws
// InvalidValueError saying what is wrong and what is expected.
import type { BackendChoice, ForwardRule, NftTable, OpenPort } from './model.js';
import { formatAddress, parseAddress } from './address.js';
import { InvalidValueError } from './errors.js';

const PORT = /^[0-9]{1,5}$/;

function port(text: string, what: string): number {
  const n = Number(text);
  if (!PORT.test(text) || n < 1 || n > 65535) {
    throw new InvalidValueError('CONFIG_BAD_PORT', `"${text}" is not a port number${what}; expected 1-65535`);
  }
  return n;
}

/** `tcp/22`, `udp/1194`, or a bare `22` (TCP), as fwknop's OPEN_PORTS writes them. */
export function parseOpenPort(text: string): OpenPort {
  const item = text.trim();
  const slash = item.indexOf('/');
  if (slash < 0) return { proto: 'tcp', port: port(item, '') };
  const proto = item.slice(0, slash).toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp') {
    throw new InvalidValueError('CONFIG_BAD_PROTOCOL', `"${item}": protocol must be tcp or udp; expected e.g. tcp/22 or udp/1194`);
  }
  return { proto, port: port(item.slice(slash + 1), ` in "${item}"`) };
}

export function parseOpenList(text: string): OpenPort[] {
  if (text.trim() === '') throw new InvalidValueError('CONFIG_BAD_VALUE', 'no ports given; expected e.g. tcp/22, udp/1194');
  const seen = new Set<string>();
  const ports: OpenPort[] = [];
  for (const item of text.split(',')) {
    const p = parseOpenPort(item);
    const key = `${p.proto}/${p.port}`;
    if (!seen.has(key)) ports.push(p);
    seen.add(key);
  }
  return ports;
}

/** `tcp/13389 -> 10.0.0.5:3389` or `tcp/13389 -> [fd00::5]:3389`, comma-separated. */
export function parseForwardList(text: string): ForwardRule[] {
  const expected = 'expected PROTO/PORT -> INSIDE_ADDRESS:PORT, e.g. tcp/13389 -> 10.0.0.5:3389';
  if (text.trim() === '') throw new InvalidValueError('CONFIG_BAD_VALUE', `no forward given; ${expected}`);
  return text.split(',').map((item) => {
    const [from, to, ...rest] = item.split('->').map((s) => s.trim());
    if (from === undefined || to === undefined || rest.length > 0) {
      throw new InvalidValueError('CONFIG_BAD_VALUE', `"${item.trim()}" is not a forward; ${expected}`);
    }
    const outside = parseOpenPort(from);
    const m = /^\[([^\]]+)\]:([0-9]+)$/.exec(to) ?? /^([^:]+):([0-9]+)$/.exec(to);
    const address = m ? parseAddress(m[1]!) : undefined;
    if (!m || !address) throw new InvalidValueError('CONFIG_BAD_ADDRESS', `"${to}" is not an address and port; ${expected}`);
    return { ...outside, host: formatAddress(address), family: address.family, hostPort: port(m[2]!, ` in "${to}"`) };
  });
}

/** Door names, comma-separated; whether they exist is checked once every door is read. */
export function parseDoorNames(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" has an empty door name; expected door names separated by commas, e.g. openSSH`);
  }
  return names;
}

const BACKENDS: readonly BackendChoice[] = ['nftables', 'iptables', 'ipset', 'firewalld', 'command'];

export function parseBackend(text: string): BackendChoice {
  const value = text.trim().toLowerCase();
  const found = BACKENDS.find((b) => b === value);
  if (!found) throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not a firewall backend; expected one of ${BACKENDS.join(', ')}`);
  return found;
}

const NFT_FAMILIES = ['inet', 'ip', 'ip6'] as const;
const NFT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,30}$/;

/**
 * `portcullis2`: Portcullis's own inet table under that name (self-contained).
 * `inet filter`: a table of the administrator's; Portcullis only keeps its sets
 * there and the administrator's chain references them (integrated).
 */
export function parseNftTable(text: string): NftTable {
  const words = text.trim().split(/\s+/);
  const expected = 'expected a table name (Portcullis\'s own table, e.g. portcullis) or FAMILY NAME of your table (e.g. inet filter)';
  const name = words[words.length - 1] ?? '';
  if (words.length > 2 || !NFT_NAME.test(name)) throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not an nftables table; ${expected}`);
  if (words.length === 1) return { family: 'inet', name, integrated: false };
  const family = NFT_FAMILIES.find((f) => f === words[0]!.toLowerCase());
  if (!family) throw new InvalidValueError('CONFIG_BAD_VALUE', `"${words[0]}" is not an nftables family for grant sets; expected inet, ip or ip6`);
  return { family, name, integrated: true };
}

/** A whole number from -1000 to 1000 (nftables base chain priority). */
export function parsePriority(text: string): number {
  const value = text.trim();
  if (!/^-?[0-9]{1,4}$/.test(value) || Math.abs(Number(value)) > 1000) {
    throw new InvalidValueError('CONFIG_BAD_NUMBER', `"${text}" is not a chain priority; expected a whole number from -1000 to 1000 (filter is 0, lower runs first)`);
  }
  return Number(value);
}

/** firewalld zone names: letters, digits, _ and -, at most 17 characters (firewalld builds chain names of them). */
const FIREWALLD_ZONE = /^[A-Za-z0-9_-]{1,17}$/;

/** `firewalld_zone = public`: the zone the firewalld backend adds its rich rules to. Whether it exists is firewalld's to say, at start. */
export function parseFirewalldZone(text: string): string {
  const value = text.trim();
  if (!FIREWALLD_ZONE.test(value)) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not a firewalld zone name; expected 1 to 17 letters, digits, _ or - (a zone that firewall-cmd --get-zones lists, e.g. public)`);
  }
  return value;
}
