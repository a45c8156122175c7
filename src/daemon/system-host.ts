// The real HostView: interface addresses from the OS; listening sockets and the
// ephemeral port range from /proc (Linux; elsewhere none are known).
import { networkInterfaces } from 'node:os';
import { existsSync } from 'node:fs';
import { localAddresses } from '../net/local-addresses.js';
import { readListeningPorts } from '../net/listening.js';
import type { HostPorts } from '../door/decoys.js';
import type { HostAddresses, HostView } from './host.js';

export class SystemHostView implements HostView {
  addresses(interfaces: readonly string[], ipv4Only: boolean): HostAddresses {
    return localAddresses(interfaces, ipv4Only);
  }

  hasInterface(name: string): boolean {
    // os.networkInterfaces() lists only interfaces with an address; /sys lists them all.
    return existsSync(`/sys/class/net/${name}`) || networkInterfaces()[name] !== undefined;
  }

  ports(): Promise<HostPorts> {
    return readListeningPorts();
  }
}
