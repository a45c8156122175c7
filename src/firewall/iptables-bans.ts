// The iptables backend's ban parts (src/bans/): one more chain per family,
// jumped from the backend's own chains after their established accept and
// before the grants, for the guarded ports only (every protected port, the
// SPA ports not among them, and on a gateway every forwarded destination):
//
//   filter PORTCULLIS
//     -p P --dport X -m comment --comment "portcullis bans" -j PORTCULLIS-BANS    per guarded port
//   filter PORTCULLIS-FWD
//     -d HOST -p P --dport HPORT -m comment --comment "portcullis bans" -j PORTCULLIS-BANS
//   filter PORTCULLIS-BANS
//     -s SRC -m time --datestop D -m comment --comment "portcullis ban exp=E" -j DROP   per banned source
//
// Like a grant, a ban rule stops matching at its --datestop in the kernel, so
// a ban lifts itself while the daemon is dead; the comment lets listBans read
// the bans back after a restart. Rules are matched one by one, so the chain
// is bounded far below the set backends (IPTABLES_BAN_MAX per family).
// Pure text; every value is validated as a literal first.
import { DATESTOP, badValue, datestopFor, expirySecond, literalAddress, literalChain, literalPort, literalProto, type Family } from './iptables-literals.js';
import { tokenize } from './iptables-spec.js';
import { guardedPorts, type Layout } from './backend.js';

/** Bans per family the chain holds; more are refused (the daemon still ignores those sources). */
export const IPTABLES_BAN_MAX = 1024;
const BAN_COMMENT = /^portcullis ban exp=(\d{1,10})$/;

export interface BanRule {
  readonly address: string;
  /** Unix second the kernel stops matching. */
  readonly exp: number;
  /** As printed, so `-D` names the rule exactly. */
  readonly datestop: string;
}

export function banChainName(chain: string): string {
  return literalChain(`${chain}-BANS`);
}

/** The own chain's jumps into the ban chain, one per guarded port. */
export function banJumps(banChain: string, layout: Layout): string[] {
  return guardedPorts(layout).map((s) => `-p ${literalProto(s.proto)} --dport ${literalPort(s.port)} -m comment --comment "portcullis bans" -j ${literalChain(banChain)}`);
}

/** The gateway chain's jumps into the ban chain, one per forwarded destination (of its family). */
export function banForwardJumps(banChain: string, layout: Layout): { family: Family; line: string }[] {
  return layout.forwarded.map((f) => {
    const host = literalAddress(f.forward.host);
    return { family: host.family, line: `-d ${host.text} -p ${literalProto(f.proto)} --dport ${literalPort(f.forward.port)} -m comment --comment "portcullis bans" -j ${literalChain(banChain)}` };
  });
}

/** Whether a `-S` line of the own chain is a jump into the ban chain. */
export function isBanJump(line: string, banChain: string): boolean {
  const t = tokenize(line);
  return t[0] === '-A' && t[t.length - 2] === '-j' && t[t.length - 1] === banChain;
}

/** A ban of `address` (canonical) ending at unix second `exp`. */
export function banRule(address: string, exp: number): BanRule {
  return { address, exp, datestop: datestopFor(exp) };
}

export function banSpec(r: BanRule): string {
  return `-s ${r.address} -m time --datestop ${r.datestop} -m comment --comment "portcullis ban exp=${r.exp}" -j DROP`;
}

/** A ban rule from one `iptables -S BANCHAIN` line (`-s 10.0.0.2/32 -m time --datestop … -j DROP`), or undefined. */
export function parseBan(chainName: string, family: Family, line: string): BanRule | undefined {
  const t = tokenize(line);
  if (t[0] !== '-A' || t[1] !== chainName || t.length % 2 !== 0) return undefined;
  const o = new Map<string, string>();
  for (let i = 2; i < t.length; i += 2) {
    const [name, value] = [t[i]!, t[i + 1]!];
    if (name === '-m' && (value === 'time' || value === 'comment')) continue;
    if (!['-s', '--datestop', '--comment', '-j'].includes(name) || o.has(name)) return undefined;
    o.set(name, value);
  }
  const exp = BAN_COMMENT.exec(o.get('--comment') ?? '');
  const datestop = o.get('--datestop') ?? '';
  const [addr, prefix, ...rest] = (o.get('-s') ?? '').split('/');
  if (!exp || !DATESTOP.test(datestop) || o.get('-j') !== 'DROP' || rest.length > 0) return undefined;
  if (prefix !== undefined && prefix !== (family === 4 ? '32' : '128')) return undefined;
  try {
    return { address: literalAddress(addr!, family).text, exp: Number(exp[1]), datestop };
  } catch {
    return undefined;
  }
}

export interface BanPlan {
  /** Restore lines for the filter table (may be empty). */
  readonly lines: string[];
  /** Additions refused because the chain was full. */
  readonly refused: number;
}

/**
 * One family's restore lines: the rules of removed, refreshed and expired
 * bans deleted first, then the new ones appended (`-A`: order does not
 * matter among DROPs). New additions beyond IPTABLES_BAN_MAX are refused.
 */
export function planBans(banChain: string, family: Family, present: readonly BanRule[], add: readonly { readonly address: string; readonly seconds: number }[],
  remove: readonly string[] | 'all', now: number, max = IPTABLES_BAN_MAX): BanPlan {
  const adds = new Map<string, number>();
  for (const { address, seconds } of add) {
    const a = literalAddress(address);
    if (!Number.isInteger(seconds) || seconds < 1) throw badValue(`a ban lasts a whole number of seconds (at least 1), not ${seconds}`);
    if (a.family === family) adds.set(a.text, expirySecond(now + seconds * 1000, now));
  }
  const removed = remove === 'all' ? undefined : new Set(remove.map((r) => literalAddress(r).text));
  const lines: string[] = remove === 'all' ? [`-F ${banChain}`] : [];
  let kept = 0;
  if (removed) {
    for (const r of present) {
      if (removed.has(r.address) || adds.has(r.address) || r.exp * 1000 <= now) lines.push(`-D ${banChain} ${banSpec(r)}`);
      else kept++;
    }
  }
  let refused = 0;
  // Refreshes first: a ban already in the chain is never refused for a newer one.
  const had = new Set(present.map((r) => r.address));
  const ordered = [...adds].sort(([a], [b]) => Number(had.has(b)) - Number(had.has(a)));
  for (const [address, exp] of ordered) {
    if (kept >= max) { refused++; continue; }
    lines.push(`-A ${banChain} ${banSpec(banRule(address, exp))}`);
    kept++;
  }
  return { lines, refused };
}
