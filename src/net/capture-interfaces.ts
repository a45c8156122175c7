// Which interfaces `serve` (and `doctor`) capture on: -i, else the config's
// Interface, else the interface of the IPv4 default route, else eth0.
import { readFileSync } from 'node:fs';

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

export function readDefaultRoute(): string | undefined {
  try {
    return defaultRouteInterface(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    return undefined; // not Linux, or no /proc
  }
}
