// The addresses that count as "this host" for doors without a Target: every
// IPv4 and (unless -4) IPv6 address of the capture interfaces, link-local
// included, like knockd. Unlike knockd they are re-read while running, so a
// DHCP or PPP address change does not leave the filter pointing at the old one.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { parseAddress } from '../config/address.js';
import { formatIPv4, formatIPv6 } from '../packet/address.js';

export type InterfaceReader = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

export interface LocalAddresses {
  /** Canonical text (as the packet decoder prints it), sorted, no duplicates. */
  readonly v4: readonly string[];
  readonly v6: readonly string[];
}

/** Addresses of `ifaces` (`any` means every interface). */
export function localAddresses(ifaces: readonly string[], ipv4Only: boolean, read: InterfaceReader = networkInterfaces): LocalAddresses {
  const table = read();
  const names = ifaces.includes('any') ? Object.keys(table) : ifaces;
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  for (const name of names) {
    for (const info of table[name] ?? []) {
      // Node leaves the zone out of `address`, but strip a %scope anyway.
      const a = parseAddress(info.address.replace(/%.*$/, ''));
      if (a?.family === 4) v4.add(formatIPv4(a.bytes, 0));
      else if (a?.family === 6 && !ipv4Only) v6.add(formatIPv6(a.bytes, 0));
    }
  }
  return { v4: [...v4].sort(), v6: [...v6].sort() };
}

export function sameAddresses(a: LocalAddresses, b: LocalAddresses): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.v4, b.v4) && same(a.v6, b.v6);
}
