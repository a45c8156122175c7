// Ports the host serves itself, from /proc/net: with `Decoys = auto` these are
// never decoys, and the capture filter keeps their traffic in the kernel.
// /proc/net shows the network namespace of the reading process, which is the
// one the daemon captures in.
import { readFile } from 'node:fs/promises';
import type { PortRange } from '../config/model.js';

export interface ListeningPorts {
  /** Listening TCP ports, sorted, no duplicates. */
  readonly tcp: readonly number[];
  /** Bound, unconnected UDP ports (servers, and unconnected clients), sorted. */
  readonly udp: readonly number[];
  /** Local ports the kernel picks for outgoing connections (ip_local_port_range). */
  readonly ephemeral: PortRange;
}

/** The Linux default ip_local_port_range. */
export const DEFAULT_EPHEMERAL: PortRange = { from: 32768, to: 60999 };

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07'; // TCP_CLOSE, which an unconnected UDP socket reports

/**
 * Ports from /proc/net/tcp or tcp6 (sockets in LISTEN) or udp or udp6 (sockets
 * with no remote address). Lines look like
 * `   0: 0100007F:1FBB 00000000:0000 0A ...`: local, remote, state, in hex.
 */
export function parseProcNet(text: string, proto: 'tcp' | 'udp'): number[] {
  const ports = new Set<number>();
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const [, local, remote, state] = lines[i]!.trim().split(/\s+/, 4);
    if (local === undefined || remote === undefined || state === undefined) continue;
    if (proto === 'tcp' ? state !== TCP_LISTEN : state !== UDP_UNCONNECTED || !/^0+:0000$/.test(remote)) continue;
    const port = parseInt(local.slice(local.indexOf(':') + 1), 16);
    if (port > 0 && port <= 65535) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** `32768\t60999` from /proc/sys/net/ipv4/ip_local_port_range; undefined if malformed. */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = Number(m[2]);
  return from <= to && to <= 65535 ? { from, to } : undefined;
}

/** Reads a file's text, or undefined if it does not exist (tcp6 without IPv6). */
export type ProcReader = (path: string) => Promise<string | undefined>;

const readProc: ProcReader = (path) =>
  readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));

export async function readListeningPorts(read: ProcReader = readProc, proc = '/proc'): Promise<ListeningPorts> {
  const [tcp, tcp6, udp, udp6, range] = await Promise.all(
    ['net/tcp', 'net/tcp6', 'net/udp', 'net/udp6', 'sys/net/ipv4/ip_local_port_range'].map((f) => read(`${proc}/${f}`)),
  );
  const merge = (a: number[], b: number[]) => [...new Set([...a, ...b])].sort((x, y) => x - y);
  return {
    tcp: merge(parseProcNet(tcp ?? '', 'tcp'), parseProcNet(tcp6 ?? '', 'tcp')),
    udp: merge(parseProcNet(udp ?? '', 'udp'), parseProcNet(udp6 ?? '', 'udp')),
    ephemeral: (range !== undefined ? parsePortRange(range) : undefined) ?? DEFAULT_EPHEMERAL,
  };
}

export function samePorts(a: ListeningPorts, b: ListeningPorts): boolean {
  const same = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.tcp, b.tcp) && same(a.udp, b.udp) && a.ephemeral.from === b.ephemeral.from && a.ephemeral.to === b.ephemeral.to;
}
