// Service names for knock steps (`ssh`, `http:udp`), as knock accepted them
// through getaddrinfo. We read the services(5) file ourselves: Node has no
// getservbyname, and the file has the same format on Linux, BSD and Windows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Transport = 'tcp' | 'udp';

/** Returns the port of a service name for a protocol, or undefined if unknown. */
export type ServiceLookup = (name: string, proto: Transport) => number | undefined;

/** name (lower case, aliases included) → first port listed for each protocol. */
export type ServiceTable = ReadonlyMap<string, { readonly tcp?: number; readonly udp?: number }>;

/** Parses services(5) text: `name port/proto [alias ...] [# comment]`. The first entry wins, as in getservbyname. */
export function parseServices(text: string): ServiceTable {
  const table = new Map<string, { tcp?: number; udp?: number }>();
  for (const raw of text.split(/\r?\n/)) {
    const fields = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length < 2) continue;
    const m = /^(\d+)\/(tcp|udp)$/i.exec(fields[1]!);
    if (!m) continue;
    const port = Number(m[1]);
    if (port < 1 || port > 65535) continue;
    const proto = m[2]!.toLowerCase() as Transport;
    for (const name of [fields[0]!, ...fields.slice(2)]) {
      const key = name.toLowerCase();
      const entry = table.get(key) ?? {};
      if (entry[proto] === undefined) entry[proto] = port;
      table.set(key, entry);
    }
  }
  return table;
}

/**
 * A lookup over a table. A name listed only for the other protocol still
 * resolves (to that port): glibc's getaddrinfo did the same for knock, so
 * `knock host http:udp` hit 80/udp although services lists http as tcp only.
 */
export function lookupIn(table: ServiceTable): ServiceLookup {
  return (name, proto) => {
    const entry = table.get(name.toLowerCase());
    return entry?.[proto] ?? entry?.tcp ?? entry?.udp;
  };
}

/** Where the services file lives on this platform. */
export function servicesPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env['SystemRoot'] ?? 'C:\\Windows', 'System32', 'drivers', 'etc', 'services');
  return '/etc/services';
}

/**
 * A lookup that reads the services file on first use only, so knocks with
 * numeric ports never touch it. A missing or unreadable file means no names.
 */
export function systemServices(read: () => string = () => readFileSync(servicesPath(), 'utf8')): ServiceLookup {
  let lookup: ServiceLookup | undefined;
  return (name, proto) => {
    if (!lookup) {
      let text = '';
      try { text = read(); } catch { /* no services file: only numeric ports work */ }
      lookup = lookupIn(parseServices(text));
    }
    return lookup(name, proto);
  };
}
