// A firewall grant: one door open for one source address until an expiry
// time. It is made of backend entries (one per port, plus one per forward);
// the daemon keeps grants, the backend keeps entries.
import type { Door } from '../config/model.js';
import { entryKeyText, type Entry, type EntryKey, type Layout, type Service } from '../firewall/backend.js';

export interface GrantForward {
  readonly service: Service;
  readonly host: string;
  readonly port: number;
}

export interface GrantRecord {
  readonly door: string;
  readonly address: string;
  readonly family: 4 | 6;
  readonly services: readonly Service[];
  readonly forwards: readonly GrantForward[];
  /** ms since the epoch. */
  readonly expiresAt: number;
}

/** One grant per door and address: a repeat knock extends it. */
export function grantKey(door: string, address: string): string {
  return `${door}\n${address}`;
}

/** The grant a door gives `address` now; forwards of the other family are left out. */
export function grantFor(door: Door, address: string, family: 4 | 6, now: number): GrantRecord {
  return {
    door: door.name,
    address,
    family,
    services: door.open.map(({ proto, port }) => ({ proto, port })),
    forwards: door.forwards.filter((f) => f.family === family).map((f) => ({ service: { proto: f.proto, port: f.port }, host: f.host, port: f.hostPort })),
    expiresAt: now + door.openTimeoutMs,
  };
}

/** Does the door grant anything through a firewall backend? */
export function grantsThroughFirewall(door: Door): boolean {
  return door.open.length > 0 || door.forwards.length > 0;
}

export function entriesOf(g: GrantRecord): Entry[] {
  return keysOf(g).map((k) => ({ ...k, expiresAt: g.expiresAt }));
}

export function keysOf(g: GrantRecord): EntryKey[] {
  const { address, family } = g;
  return [
    ...g.services.map((service) => ({ address, family, service })),
    ...g.forwards.map((f) => ({ address, family, service: f.service, forward: { host: f.host, port: f.port } })),
  ];
}

/** What the backend sets up for a set of doors: every opened port and captured SPA port is protected, every forward's inside service too. */
export function layoutFor(doors: readonly Door[]): Layout {
  const seen = new Set<string>();
  const protectedPorts: Service[] = [];
  const forwarded: Layout['forwarded'][number][] = [];
  for (const d of doors) {
    // A captured SPA port is dropped too: the capture still sees the packet
    // (AF_PACKET taps before netfilter), but the kernel sends no ICMP port
    // unreachable, so the host stays silent to a scan of the SPA port.
    const silent = d.spa?.listen === 'pcap' ? [{ proto: 'udp' as const, port: d.spa.port }] : [];
    for (const { proto, port } of [...d.open, ...silent]) {
      const k = `${proto}/${port}`;
      if (!seen.has(k)) protectedPorts.push({ proto, port });
      seen.add(k);
    }
    for (const f of d.forwards) {
      const k = entryKeyText({ address: f.host, family: f.family, service: { proto: f.proto, port: f.port }, forward: { host: f.host, port: f.hostPort } });
      if (!seen.has(k)) forwarded.push({ proto: f.proto, port: f.port, forward: { host: f.host, port: f.hostPort } });
      seen.add(k);
    }
  }
  const spaPorts = [...new Set(doors.flatMap((d) => (d.spa ? [d.spa.port] : [])))];
  return { protected: protectedPorts, forwarded, ...(spaPorts.length > 0 && { spaPorts }) };
}
