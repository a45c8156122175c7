// Decoy ports: hitting one during an attempt fails it, and counts against the
// source. A sweeping scanner hits decoys between sequence ports, so a port
// scan can never walk a sequence in order (knockd's filter hid every port
// outside the sequences, so two full scans opened a 3-step door).
import type { DecoyPolicy, Step } from '../config/model.js';
import type { Packet } from '../packet/packet.js';

const PORTS = 65536;
const ACK = 0x10;

/** What the host itself uses: listening TCP ports, bound UDP ports, the ephemeral range. */
export interface HostPorts {
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
  readonly ephemeral: { readonly from: number; readonly to: number };
}

export const NO_HOST_PORTS: HostPorts = { tcp: [], udp: [], ephemeral: { from: 32768, to: 60999 } };

export class DecoySet {
  // One byte per port and protocol: 128 KiB, O(1) lookup, independent of any source count.
  private readonly tcp = new Uint8Array(PORTS);
  private readonly udp = new Uint8Array(PORTS);

  constructor(policy: DecoyPolicy, steps: readonly Step[], host: HostPorts) {
    if (policy.mode === 'off') return;
    if (policy.mode === 'auto') {
      this.tcp.fill(1, 1);
      this.udp.fill(1, 1);
      for (const p of host.tcp) this.tcp[p] = 0;
      for (const p of host.udp) this.udp[p] = 0;
      // Replies to the host's own UDP clients (DNS, NTP) arrive on ephemeral ports.
      this.udp.fill(0, host.ephemeral.from, host.ephemeral.to + 1);
    } else {
      for (const r of policy.tcp) this.tcp.fill(1, r.from, r.to + 1);
      for (const r of policy.udp) this.udp.fill(1, r.from, r.to + 1);
    }
    for (const s of steps) {
      if (s.proto === 'tcp') this.tcp[s.port] = 0;
      else if (s.proto === 'udp') this.udp[s.port] = 0;
    }
  }

  /**
   * A TCP segment without ACK (a connection attempt or a SYN/FIN/NULL/Xmas
   * scan probe; established traffic always carries ACK) or a datagram, to a
   * decoy port.
   */
  has(packet: Packet): boolean {
    if (packet.proto === 'tcp') return (packet.tcpFlags & ACK) === 0 && this.tcp[packet.dstPort] === 1;
    if (packet.proto === 'udp') return this.udp[packet.dstPort] === 1;
    return false;
  }
}
