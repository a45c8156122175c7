// The real HostView: interface addresses from the OS; listening sockets and the
// ephemeral port range from /proc (Linux; elsewhere none are known).
import { localAddresses } from '../net/local-addresses.js';
import { readListeningPorts } from '../net/listening.js';
import type { HostPorts } from '../door/decoys.js';
import type { HostAddresses, HostView } from './host.js';

export class SystemHostView implements HostView {
  addresses(interfaces: readonly string[], ipv4Only: boolean): HostAddresses {
    return localAddresses(interfaces, ipv4Only);
  }

  ports(): Promise<HostPorts> {
    return readListeningPorts();
  }
}
