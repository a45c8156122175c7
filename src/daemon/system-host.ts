// The real HostView: interface addresses from the OS, listening sockets and the
// ephemeral port range from /proc (Linux; elsewhere: none known, every port a decoy).
import { readFileSync } from 'node:fs';
import { localAddresses } from '../net/local-addresses.js';
import { parseProcNet } from '../net/listening.js';
import type { HostPorts } from '../door/decoys.js';
import type { HostAddresses, HostView } from './host.js';

const DEFAULT_EPHEMERAL = { from: 32768, to: 60999 };

export class SystemHostView implements HostView {
  constructor(private readonly read: (path: string) => string | undefined = readOptional) {}

  addresses(interfaces: readonly string[], ipv4Only: boolean): HostAddresses {
    return localAddresses([...interfaces], ipv4Only);
  }

  ports(): HostPorts {
    const tcp = new Set<number>();
    const udp = new Set<number>();
    for (const f of ['tcp', 'tcp6'] as const) for (const p of parseProcNet(this.read(`/proc/net/${f}`) ?? '', 'tcp')) tcp.add(p);
    for (const f of ['udp', 'udp6'] as const) for (const p of parseProcNet(this.read(`/proc/net/${f}`) ?? '', 'udp')) udp.add(p);
    return {
      tcp: [...tcp].sort((a, b) => a - b),
      udp: [...udp].sort((a, b) => a - b),
      ephemeral: parseRange(this.read('/proc/sys/net/ipv4/ip_local_port_range')) ?? DEFAULT_EPHEMERAL,
    };
  }
}

function parseRange(text: string | undefined): { from: number; to: number } | undefined {
  const m = text?.trim().match(/^(\d+)\s+(\d+)$/);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = Number(m[2]);
  return from >= 1 && to <= 65535 && from <= to ? { from, to } : undefined;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
