// A decoded packet: only what the knock and SPA logic need.

export interface Packet {
  readonly family: 4 | 6;
  /** Source and destination as canonical text (IPv4 dotted quad, IPv6 RFC 5952 compressed). */
  readonly src: string;
  readonly dst: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  /** 0 for ICMP. */
  readonly srcPort: number;
  readonly dstPort: number;
  /** TCP flag byte (RFC 9293 §3.1), 0 for UDP and ICMP. */
  readonly tcpFlags: number;
  /** UDP payload, ICMP echo data after identifier and sequence, empty for TCP. */
  readonly payload: Uint8Array;
}
