// The lab firewall: a protected TCP port that only addresses in the
// `allowed4`/`allowed6` sets may reach. Door commands add and delete elements.

export const LAB_TABLE = 'inet lab';

export interface RulesetOptions {
  /** The protected port. Default 22. */
  readonly port?: number;
  /**
   * What happens to others: `reject` answers with a TCP reset, so a blocked
   * connection fails at once and unambiguously; `drop` is what a real
   * server does (the client times out).
   */
  readonly verdict?: 'drop' | 'reject';
}

export function labRuleset(opts: RulesetOptions = {}): string {
  const port = opts.port ?? 22;
  const verdict = (opts.verdict ?? 'reject') === 'reject' ? 'reject with tcp reset' : 'drop';
  return `table ${LAB_TABLE} {
  set allowed4 { type ipv4_addr; flags timeout; }
  set allowed6 { type ipv6_addr; flags timeout; }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport ${port} ip saddr @allowed4 accept
    tcp dport ${port} ip6 saddr @allowed6 accept
    tcp dport ${port} ${verdict}
  }
}
`;
}

/** Parses `nft -j list set ...` output into the element addresses. */
export function setElements(json: string): string[] {
  const doc = JSON.parse(json) as { nftables?: Array<{ set?: { elem?: unknown[] } }> };
  const out: string[] = [];
  for (const item of doc.nftables ?? []) {
    for (const e of item.set?.elem ?? []) {
      // Plain value, or { elem: { val, timeout, expires } } in a set with timeouts.
      if (typeof e === 'string') out.push(e);
      else if (e && typeof e === 'object' && 'elem' in e) {
        const val = (e as { elem: { val?: unknown } }).elem.val;
        if (typeof val === 'string') out.push(val);
      }
    }
  }
  return out;
}

/** IPv6 in its compressed form (as nft and knockd print it); IPv4 unchanged. */
export function canonicalIp(ip: string): string {
  return ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}
