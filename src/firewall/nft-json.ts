// Reads Portcullis's entries back from `nft -j list table …` (libnftables JSON,
// schema 1): grant set elements and DNAT map elements with their remaining
// timeout. Anything else in the table (the administrator's own sets) is ignored.
import { formatAddress, parseAddress } from '../config/address.js';
import { FirewallError, type InstalledEntry } from './backend.js';
import type { setNames } from './nft-script.js';

type Names = ReturnType<typeof setNames>;

interface JsonSet {
  readonly name?: unknown;
  readonly elem?: unknown;
}

/** The `nftables` array of `nft -j` output; throws a FirewallError on anything else. */
export function nftItems(json: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new FirewallError('FIREWALL_TOOL_FAILED', `nft printed something that is not JSON: ${(err as Error).message}`);
  }
  const items = (doc as { nftables?: unknown } | null)?.nftables;
  if (!Array.isArray(items)) throw new FirewallError('FIREWALL_TOOL_FAILED', 'nft JSON has no "nftables" array');
  return items;
}

export function parseNftListing(json: string, names: Names, now: number): InstalledEntry[] {
  const items = nftItems(json);
  const out: InstalledEntry[] = [];
  for (const item of items as Record<string, JsonSet>[]) {
    const set = item['set'] ?? item['map'];
    if (!set || !Array.isArray(set.elem)) continue;
    if (set.name === names.grants4 || set.name === names.grants6) {
      for (const el of set.elem) {
        const e = grantElement(el, now);
        if (e) out.push(e);
      }
    } else if (set.name === names.fwd4 || set.name === names.fwd6) {
      for (const el of set.elem) {
        const e = forwardElement(el, now);
        if (e) out.push(e);
      }
    }
  }
  return out;
}

/** `{"elem": {"val": {"concat": ["10.0.0.2", "tcp", 22]}, "timeout": 30, "expires": 29}}` (or a bare concat without timeout). */
function unwrap(el: unknown): { concat: unknown[]; expires?: number } | undefined {
  const wrapped = (el as { elem?: { val?: unknown; expires?: unknown } } | null)?.elem;
  const val = wrapped ? wrapped.val : el;
  const concat = (val as { concat?: unknown } | null)?.concat;
  if (!Array.isArray(concat)) return undefined;
  const expires = wrapped?.expires;
  return typeof expires === 'number' ? { concat, expires } : { concat };
}

function grantElement(el: unknown, now: number): InstalledEntry | undefined {
  const u = unwrap(el);
  if (!u || u.concat.length !== 3) return undefined;
  const [addr, proto, port] = u.concat;
  const a = typeof addr === 'string' ? parseAddress(addr) : undefined;
  if (!a || (proto !== 'tcp' && proto !== 'udp') || typeof port !== 'number') return undefined;
  const base = { address: formatAddress(a), family: a.family, service: { proto, port } } as const;
  return u.expires === undefined ? base : { ...base, expiresAt: now + u.expires * 1000 };
}

/** Map elements are `[key, data]`: `[{"elem": {...concat [src, proto, port]}}, {"concat": [host, port]}]`. */
function forwardElement(el: unknown, now: number): InstalledEntry | undefined {
  if (!Array.isArray(el) || el.length !== 2) return undefined;
  const key = grantElement(el[0], now);
  const data = (el[1] as { concat?: unknown } | null)?.concat;
  if (!key || !Array.isArray(data) || data.length !== 2) return undefined;
  const [host, port] = data;
  const h = typeof host === 'string' ? parseAddress(host) : undefined;
  if (!h || typeof port !== 'number') return undefined;
  return { ...key, forward: { host: formatAddress(h), port } };
}
