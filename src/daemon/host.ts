// What the daemon needs to know about the host it guards, behind an interface
// so tests can script it: its addresses (the destination check) and the ports
// it uses itself (never decoys, never pulled through the capture path).
import type { HostPorts } from '../door/decoys.js';
import type { LocalAddresses } from '../net/local-addresses.js';

export type HostAddresses = LocalAddresses;

export interface HostView {
  /** Addresses of the given interfaces ('any' = all); IPv6 left out when ipv4Only. */
  addresses(interfaces: readonly string[], ipv4Only: boolean): HostAddresses;
  hasInterface(name: string): boolean;
  /** Listening TCP ports, bound UDP ports and the ephemeral range (async: /proc/net can be large). */
  ports(): Promise<HostPorts>;
}

/** A HostView with fixed answers, changeable by the test. */
export class StaticHostView implements HostView {
  constructor(public addrs: HostAddresses, public hostPorts: HostPorts, public interfaces = new Set(['lo', 'eth0'])) {}
  addresses(_interfaces: readonly string[], ipv4Only: boolean): HostAddresses {
    return ipv4Only ? { v4: this.addrs.v4, v6: [] } : this.addrs;
  }
  hasInterface(name: string): boolean {
    return this.interfaces.has(name);
  }
  async ports(): Promise<HostPorts> {
    return this.hostPorts;
  }
}
