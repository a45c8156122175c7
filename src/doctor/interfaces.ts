// Capture interfaces: which ones `serve` would listen on, and whether each
// exists and is up. The rules are pure; reading /sys and /proc is at the end.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Finding } from './findings.js';
export { captureInterfaces, defaultRouteInterface, readDefaultRoute } from '../net/capture-interfaces.js';

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

