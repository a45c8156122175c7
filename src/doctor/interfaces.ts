// Capture interfaces: which ones `serve` would listen on, and whether each
// exists and is up. The rules are pure; reading /sys and /proc is at the end.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Finding } from './findings.js';

/** As `serve` picks them: -i, else the config's Interface, else the default-route interface, else eth0. */
export function captureInterfaces(cli: readonly string[], config: readonly string[], defaultRoute: string | undefined): string[] {
  const fromCli = cli.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  if (fromCli.length > 0) return fromCli;
  if (config.length > 0) return [...config];
  return [defaultRoute ?? 'eth0'];
}

/** The interface of the IPv4 default route in /proc/net/route text (knockd #44). */
export function defaultRouteInterface(procNetRoute: string): string | undefined {
  for (const line of procNetRoute.split('\n').slice(1)) {
    const [iface, destination] = line.trim().split(/\s+/);
    if (destination === '00000000' && iface) return iface;
  }
  return undefined;
}

export interface LinkFacts {
  readonly exists: boolean;
  /** /sys/class/net/IF/operstate: up, down, unknown, dormant, lowerlayerdown… */
  readonly operstate?: string;
  /** /sys/class/net/IF/flags (IFF_*). */
  readonly flags?: number;
}

const IFF_UP = 0x1;

export function linkFinding(iface: string, link: LinkFacts, known: readonly string[]): Finding {
  const base = { check: 'interface' as const, subject: iface };
  if (iface === 'any') return { ...base, code: 'INTERFACE_ANY', status: 'ok', message: 'capturing on every interface' };
  if (!link.exists) {
    return {
      ...base, code: 'INTERFACE_MISSING', status: 'fail', message: 'no such interface on this host: serve would not start',
      fix: `name one that exists with -i IF or Interface = IF in [options]${known.length > 0 ? ` (this host has: ${known.join(', ')})` : ''}`,
    };
  }
  if (link.flags !== undefined && (link.flags & IFF_UP) === 0) {
    return { ...base, code: 'INTERFACE_DOWN', status: 'fail', message: 'exists but is administratively down: no knock can arrive', fix: `ip link set ${iface} up` };
  }
  if (link.operstate === 'down' || link.operstate === 'lowerlayerdown' || link.operstate === 'notpresent') {
    return { ...base, code: 'INTERFACE_NO_CARRIER', status: 'warn', message: `is up but has no link (operstate ${link.operstate}): nothing arrives until it has`, fix: `check the cable, the virtual switch or the peer of ${iface} (ip link show ${iface})` };
  }
  return { ...base, code: 'INTERFACE_UP', status: 'ok', message: `exists and is up${link.operstate ? ` (operstate ${link.operstate})` : ''}` };
}

export function readLink(iface: string): LinkFacts {
  const dir = `/sys/class/net/${iface}`;
  if (iface.includes('/') || !existsSync(dir)) return { exists: false };
  const read = (f: string) => {
    try {
      return readFileSync(`${dir}/${f}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const flags = read('flags');
  const operstate = read('operstate');
  return { exists: true, ...(operstate !== undefined && { operstate }), ...(flags !== undefined && { flags: Number.parseInt(flags, 16) }) };
}

export function listLinks(): string[] {
  try {
    return readdirSync('/sys/class/net').sort();
  } catch {
    return [];
  }
}

export function readDefaultRoute(): string | undefined {
  try {
    return defaultRouteInterface(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    return undefined; // not Linux, or no /proc
  }
}
