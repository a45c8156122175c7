// The firewall backend interface. A backend installs *entries*: one source
// address allowed to one protocol/port (optionally forwarded to an inside
// host) until an expiry time. Grants (door + source + ports) are the daemon's
// notion and live in src/grants/; a backend knows nothing of doors.
//
// Every operation is idempotent: opening an entry that is there refreshes its
// expiry (never a second copy), closing one that is not there succeeds. A
// backend only ever touches what it created (its own table, chain or sets):
// the administrator's rules are never read-modify-written.
import { PortcullisError } from '../errors.js';

export type BackendName = 'nftables' | 'iptables' | 'ipset' | 'firewalld' | 'command';
export type Proto = 'tcp' | 'udp';

export interface Service {
  readonly proto: Proto;
  readonly port: number;
}

/** Gateway access: the source's packets to `service` on the gateway go to `host:port` inside. */
export interface Forward {
  readonly host: string;
  readonly port: number;
}

/** What identifies an entry: closing needs no more than this. */
export interface EntryKey {
  /** Canonical address text (formatAddress of parseAddress). */
  readonly address: string;
  readonly family: 4 | 6;
  readonly service: Service;
  readonly forward?: Forward;
}

export interface Entry extends EntryKey {
  /** When the entry must stop letting packets through, ms since the epoch. */
  readonly expiresAt: number;
}

/** An entry as the firewall reports it. */
export interface InstalledEntry extends EntryKey {
  /** When the firewall itself will drop it (kernel timeout), if it knows. */
  readonly expiresAt?: number;
}

/** What a backend sets up at start: the ports it protects and the ports it forwards. */
export interface Layout {
  /** Ports dropped for every source without an entry (self-contained deployments). */
  readonly protected: readonly Service[];
  /** Gateway ports: DNAT for sources with a forward entry, nothing for the others. */
  readonly forwarded: readonly (Service & { readonly forward: Forward })[];
  /** Every SPA door's UDP port: banned sources are dropped there, and the nftables backend rate-limits each source (src/firewall/nft-bans.ts). */
  readonly spaPorts?: readonly number[];
}

/** The ports a ban covers: every protected port, then the SPA ports not among them, each once. */
export function guardedPorts(layout: Layout): Service[] {
  const seen = new Set<string>();
  const ports: Service[] = [];
  for (const s of [...layout.protected, ...(layout.spaPorts ?? []).map((port) => ({ proto: 'udp' as const, port }))]) {
    const k = `${s.proto}/${s.port}`;
    if (!seen.has(k)) ports.push(s);
    seen.add(k);
  }
  return ports;
}

export interface FirewallBackend {
  readonly name: BackendName;
  /**
   * True when the kernel stops an entry at its expiry by itself (nftables and
   * ipset timeouts, iptables `-m time --datestop`, firewalld --timeout): a
   * dead daemon then leaves nothing open past its expiry.
   */
  readonly kernelExpiry: boolean;
  /** Creates the backend's own table/chains/sets if missing and installs the layout. Never removes entries. */
  prepare(layout: Layout): Promise<void>;
  /** Adds entries, or refreshes the expiry of entries already there. `now` is the clock's current time. */
  open(entries: readonly Entry[], now: number): Promise<void>;
  /** Removes entries; missing ones are not an error. */
  close(entries: readonly EntryKey[]): Promise<void>;
  /** Entries of Portcullis the firewall holds now. */
  list(now: number): Promise<InstalledEntry[]>;
  /** Removes everything the backend created (table, chains, sets). */
  remove(): Promise<void>;
  /** Releases processes and handles; the firewall state stays as it is. */
  dispose(): Promise<void>;
}

/** The firewall program failed or could not be run. `detail` carries its stderr. */
export class FirewallError extends PortcullisError {
  constructor(code: 'FIREWALL_TOOL_FAILED' | 'FIREWALL_UNAVAILABLE' | 'FIREWALL_BAD_VALUE', message: string, readonly detail = '') {
    super(code, detail === '' ? message : `${message}: ${detail.trim()}`);
  }
}

/** Stable text for an entry's identity, for maps and comparisons. */
export function entryKeyText(e: EntryKey): string {
  const fwd = e.forward ? ` > ${e.forward.host}:${e.forward.port}` : '';
  return `${e.address} ${e.service.proto}/${e.service.port}${fwd}`;
}

/** Whole seconds from `now` to `expiresAt`, at least 1 (kernel timeouts are whole seconds, and 0 would mean "never"). */
export function secondsLeft(expiresAt: number, now: number): number {
  return Math.max(1, Math.ceil((expiresAt - now) / 1000));
}
