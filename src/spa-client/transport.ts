// How the packet travels (fwknop's client/spa_comm.c): `udp` one datagram,
// `tcp` a connection that carries the packet and closes, `http` a GET whose
// path is the packet made URL-safe. All I/O goes through SpaTransport:
// net-transport.ts is the real one, recording-transport.ts the test double.
import type { Family, Resolved } from '../client/knock.js';
import type { Destination } from './plan.js';

export type { Family, Resolved } from '../client/knock.js';

export interface SpaTransport {
  /** HOST to one address (a literal to itself); family 0 = whichever comes first. Rejects if it cannot. */
  resolve(host: string, family: 0 | Family): Promise<Resolved>;
  /** One datagram carrying `payload`. */
  sendUdp(to: Resolved, port: number, payload: Uint8Array): Promise<void>;
  /** Connects, writes `payload`, closes; rejects if the connection is refused or times out. */
  sendTcp(to: Resolved, port: number, payload: Uint8Array): Promise<void>;
}

/** What fwknop 2.6.10 sends as its User-Agent; fwknopd wants it to start with "Fwknop" (2.6.11 can relax that). */
export const HTTP_USER_AGENT = 'Fwknop/2.6.10';

/** `+` → `-` and `/` → `_`; fwknopd maps them back (fwknop.md §1.8). */
export function urlSafe(packet: string): string {
  return packet.replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * The request of fwknop 2.6.10's send_spa_packet_http(), byte for byte (it
 * is HTTP/1.0 there, 1.1 from 2.6.11 on). Host is the -D value as given; an
 * IPv6 literal gets brackets, which fwknop never needed.
 */
export function httpRequest(packet: string, host: string): string {
  const hostHeader = host.includes(':') ? `[${host}]` : host;
  return `GET /${urlSafe(packet)} HTTP/1.0\r\nUser-Agent: ${HTTP_USER_AGENT}\r\nAccept: */*\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`;
}

/** The bytes that go on the wire for this destination. */
export function payloadFor(packet: string, dest: Destination): Uint8Array {
  const text = dest.proto === 'http' ? httpRequest(packet, dest.host) : packet;
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** Sends the packet; the address is resolved once. */
export async function sendPacket(packet: string, dest: Destination, to: Resolved, t: SpaTransport): Promise<number> {
  const payload = payloadFor(packet, dest);
  if (dest.proto === 'udp') await t.sendUdp(to, dest.port, payload);
  else await t.sendTcp(to, dest.port, payload);
  return payload.length;
}

/** fwknop -v's "Generating SPA packet" block (dump_transmit_options()). */
export function describeTransmit(dest: Destination, to?: Resolved): string[] {
  return [
    'Generating SPA packet:',
    `            protocol: ${dest.proto}`,
    '         source port: <OS assigned>',
    `    destination port: ${dest.port}`,
    `             IP/host: ${dest.host}${to && to.address !== dest.host ? ` (${to.address})` : ''}`,
  ];
}
