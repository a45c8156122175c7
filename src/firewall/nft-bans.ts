// The nftables backend's ban parts (src/bans/): the kernel ban sets and the
// per-source rate limit on SPA ports. Pure text, every value validated first.
//
// Own table (`table inet portcullis`), next to the grant sets (nft-script.ts):
//   set banned4 { type ipv4_addr; flags timeout; size 65536; }     (and banned6)
//   set spa_ports { type inet_service; }                             every SPA door's UDP port
//   set spa_rate4 { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 65536; }  (and spa_rate6)
//   chain input, right after `ct state established,related accept`:
//     ip saddr @banned4 meta l4proto . th dport @protected counter drop   (and ip6/banned6)
//     ip saddr @banned4 udp dport @spa_ports counter drop                 (and ip6/banned6)
//     udp dport @spa_ports update @spa_rate4 { ip saddr limit rate over N/second burst M packets } counter drop  (and 6)
//   chain forward, after its established accept:
//     ip saddr @banned4 ip daddr . meta l4proto . th dport @fwdprotected4 counter drop  (and 6)
// So a banned source reaches none of the ports the daemon guards (the doors'
// `open` ports, captured SPA ports, socket SPA ports, gateway ports) while its
// ban lasts; sessions it established before stay up (as after a grant ends),
// and the host's other services are not affected. Each ban element carries the
// ban's timeout: the kernel lifts it by itself, daemon alive or not.
//
// Integrated (`nft_table = inet filter`): only the sets portcullis_banned4/6
// (and portcullis_spa_rate4/6) live in the administrator's table; their chain
// references them (DESIGN.md "Bans").
import { formatAddress, parseAddress } from '../config/address.js';
import type { SpaRateLimit } from '../config/model.js';
import { FirewallError } from './backend.js';
import { address, families, familyOf, tableRef, type NftTarget } from './nft-script.js';
import { nftItems } from './nft-json.js';

/** Elements a ban set holds at most (the daemon's own table is MaxTrackedSources). */
export const BAN_SET_SIZE = 65_536;
/** How long the kernel remembers a source's rate-limit state after its last SPA packet. */
const RATE_STATE_SECONDS = 60;
/** Addresses per nft transaction (a line of `nft -i`). */
export const BAN_BATCH = 512;

export function banSetNames(t: NftTarget) {
  const p = t.integrated ? 'portcullis_' : '';
  return { banned4: `${p}banned4`, banned6: `${p}banned6`, rate4: `${p}spa_rate4`, rate6: `${p}spa_rate6`, spaPorts: `${p}spa_ports` };
}

/** The sets (never flushed: bans survive a restart and a reload), plus the SPA port set, replaced. */
export function banSetLines(t: NftTarget, spaPorts: readonly number[], rate: SpaRateLimit | 'off'): string[] {
  const table = tableRef(t);
  const n = banSetNames(t);
  const lines: string[] = [];
  for (const f of families(t)) {
    lines.push(`add set ${table} ${f === 4 ? n.banned4 : n.banned6} { type ${f === 4 ? 'ipv4_addr' : 'ipv6_addr'}; flags timeout; size ${BAN_SET_SIZE}; }`);
    if (rate !== 'off') {
      lines.push(`add set ${table} ${f === 4 ? n.rate4 : n.rate6} { type ${f === 4 ? 'ipv4_addr' : 'ipv6_addr'}; flags dynamic,timeout; timeout ${RATE_STATE_SECONDS}s; size ${BAN_SET_SIZE}; }`);
    }
  }
  if (!t.integrated) {
    lines.push(`add set ${table} ${n.spaPorts} { type inet_service; }`, `flush set ${table} ${n.spaPorts}`);
    const ports = [...new Set(spaPorts.map(port))].sort((a, b) => a - b);
    if (ports.length > 0) lines.push(`add element ${table} ${n.spaPorts} { ${ports.join(', ')} }`);
  }
  return lines;
}

/** The own table's input-chain rules, to follow its established accept. */
export function banInputRules(t: NftTarget, rate: SpaRateLimit | 'off'): string[] {
  const table = tableRef(t);
  const n = banSetNames(t);
  const rules = [
    `ip saddr @${n.banned4} meta l4proto . th dport @protected counter drop`,
    `ip6 saddr @${n.banned6} meta l4proto . th dport @protected counter drop`,
    `ip saddr @${n.banned4} udp dport @${n.spaPorts} counter drop`,
    `ip6 saddr @${n.banned6} udp dport @${n.spaPorts} counter drop`,
  ];
  if (rate !== 'off') {
    const limit = rateText(rate);
    rules.push(
      `udp dport @${n.spaPorts} update @${n.rate4} { ip saddr ${limit} } counter drop`,
      `udp dport @${n.spaPorts} update @${n.rate6} { ip6 saddr ${limit} } counter drop`,
    );
  }
  return rules.map((r) => `add rule ${table} input ${r}`);
}

/** The own table's forward-chain rules, to follow its established accept. */
export function banForwardRules(t: NftTarget): string[] {
  const table = tableRef(t);
  const n = banSetNames(t);
  return [
    `add rule ${table} forward ip saddr @${n.banned4} ip daddr . meta l4proto . th dport @fwdprotected4 counter drop`,
    `add rule ${table} forward ip6 saddr @${n.banned6} ip6 daddr . meta l4proto . th dport @fwdprotected6 counter drop`,
  ];
}

/** `limit rate over 20/second burst 20 packets`: packets beyond it match (and are dropped). */
export function rateText(r: SpaRateLimit): string {
  for (const v of [r.perSecond, r.burst]) {
    if (!Number.isInteger(v) || v < 1 || v > 100_000) throw bad(`rate limit values must be 1..100000, not ${v}`);
  }
  return `limit rate over ${r.perSecond}/second burst ${r.burst} packets`;
}

/**
 * Integrated mode, removing or emptying our ban and rate sets in the
 * administrator's table: each is declared first (a no-op when it exists), so
 * the delete or flush cannot fail the transaction on a set never made (the
 * rate sets exist only with the rate limit on).
 */
export function banSetTeardown(t: NftTarget, verb: 'delete' | 'flush'): string[] {
  const table = tableRef(t);
  const n = banSetNames(t);
  const sets = families(t).flatMap((f) => (f === 4 ? [n.banned4, n.rate4] : [n.banned6, n.rate6]));
  return [...banSetLines(t, [], { perSecond: 1, burst: 1 }), ...sets.map((s) => `${verb} set ${table} ${s}`)];
}

/**
 * One transaction (one `nft -i` line): removes `remove` (for 'all', flushes
 * the ban sets), then adds each address with its timeout. As for grants,
 * `add element` keeps the old timeout of an element that exists, so an
 * addition adds, deletes and adds again; a removal adds (so the delete cannot
 * fail) and deletes.
 */
export function banCommand(t: NftTarget, add: readonly { address: string; seconds: number }[], remove: readonly string[] | 'all'): string {
  const table = tableRef(t);
  const n = banSetNames(t);
  const setOf = (a: string) => {
    const f = familyOf(a);
    if (!families(t).includes(f)) throw bad(`table ${table} holds no IPv${f} bans (${a})`);
    return f === 4 ? n.banned4 : n.banned6;
  };
  const cmds: string[] = [];
  if (remove === 'all') for (const f of families(t)) cmds.push(`flush set ${table} ${f === 4 ? n.banned4 : n.banned6}`);
  else {
    for (const a of remove) {
      const s = setOf(a);
      const key = address(a);
      cmds.push(`add element ${table} ${s} { ${key} timeout 1s }`, `delete element ${table} ${s} { ${key} }`);
    }
  }
  for (const { address: a, seconds } of add) {
    const s = setOf(a);
    const key = address(a);
    cmds.push(`add element ${table} ${s} { ${key} timeout 1s }`, `delete element ${table} ${s} { ${key} }`, `add element ${table} ${s} { ${key} timeout ${timeout(seconds)}s }`);
  }
  return cmds.join('; ');
}

/** Ban elements from `nft -j list table …`: `{"elem": {"val": "10.0.0.2", "timeout": 300, "expires": 287}}`. */
export function parseBanListing(json: string, t: NftTarget, now: number): { address: string; until: number }[] {
  const items = nftItems(json);
  const n = banSetNames(t);
  const out: { address: string; until: number }[] = [];
  for (const item of items as Record<string, { name?: unknown; elem?: unknown }>[]) {
    const set = item['set'];
    if (!set || (set.name !== n.banned4 && set.name !== n.banned6) || !Array.isArray(set.elem)) continue;
    for (const el of set.elem) {
      const wrapped = (el as { elem?: { val?: unknown; expires?: unknown } } | null)?.elem;
      const val = wrapped ? wrapped.val : el;
      const parsed = typeof val === 'string' ? parseAddress(val) : undefined;
      const expires = wrapped?.expires;
      if (!parsed || typeof expires !== 'number') continue; // no timeout: not one of ours
      out.push({ address: formatAddress(parsed), until: now + expires * 1000 });
    }
  }
  return out;
}

function port(p: number): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw bad(`port must be 1..65535, not ${p}`);
  return p;
}

function timeout(s: number): number {
  if (!Number.isInteger(s) || s < 1 || s > 4_000_000) throw bad(`timeout must be 1..4000000 seconds, not ${s}`);
  return s;
}

function bad(message: string): FirewallError {
  return new FirewallError('FIREWALL_BAD_VALUE', message);
}
