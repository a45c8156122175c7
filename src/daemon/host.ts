// What the daemon needs to know about the host it guards, behind an interface
// so tests can script it: its addresses (the destination check) and the ports
// it uses itself (never decoys, never pulled through the capture path).
import type { HostPorts } from '../door/decoys.js';

export interface HostAddresses {
  readonly v4: readonly string[];
  readonly v6: readonly string[];
}

export interface HostView {
  /** Addresses of the given interfaces ('any' = all); IPv6 left out when ipv4Only. */
  addresses(interfaces: readonly string[], ipv4Only: boolean): HostAddresses;
  ports(): HostPorts;
}

/** A HostView with fixed answers, changeable by the test. */
export class StaticHostView implements HostView {
  constructor(public addrs: HostAddresses, public hostPorts: HostPorts) {}
  addresses(_interfaces: readonly string[], ipv4Only: boolean): HostAddresses {
    return ipv4Only ? { v4: this.addrs.v4, v6: [] } : this.addrs;
  }
  ports(): HostPorts {
    return this.hostPorts;
  }
}

export function sameHostPorts(a: HostPorts, b: HostPorts): boolean {
  return a.ephemeral.from === b.ephemeral.from && a.ephemeral.to === b.ephemeral.to
    && sameList(a.tcp, b.tcp) && sameList(a.udp, b.udp);
}

export function sameAddresses(a: HostAddresses, b: HostAddresses): boolean {
  return sameList(a.v4, b.v4) && sameList(a.v6, b.v6);
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
