// nftables scripts for the nftables backend. Two deployments:
//
// Self-contained (default): Portcullis owns `table inet portcullis`:
//   set grants4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }   (and grants6)
//   set protected { type inet_proto . inet_service; }
//   map fwd4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; flags timeout; }
//   set fwdok4 { type ipv4_addr . ipv4_addr . inet_proto . inet_service; flags timeout; }
//   set fwdprotected4 { type ipv4_addr . inet_proto . inet_service; }  (and the 6 variants)
//   chain input      { hook input priority P:      established accept; grants accept; protected drop }
//   chain prerouting { hook prerouting priority dstnat: dnat by fwd4/fwd6 }
//   chain forward    { hook forward priority P:    established accept; fwdok accept; fwdprotected drop }
// nftables runs every base chain on a hook, so an accept here cannot override
// a drop in another table, but the drop of a protected port here applies
// whatever the other tables say.
//
// Integrated (`nft_table = inet filter`): only the sets portcullis_grants4/6
// live in the administrator's table; their own chain references them:
//   ip saddr . meta l4proto . th dport @portcullis_grants4 accept
//
// A grant is an element with a kernel timeout, so the kernel closes it even
// when the daemon is dead. Pure: builds text; every value is validated as a
// literal first (a stray `;` or `}` would change what a script means).
import { formatAddress, parseAddress } from '../config/address.js';
import { FirewallError, type Forward, type Layout, type Service } from './backend.js';
import type { SpaRateLimit } from '../config/model.js';
import { banForwardRules, banInputRules, banSetLines, banSetTeardown } from './nft-bans.js';

export interface NftTarget {
  readonly family: 'inet' | 'ip' | 'ip6';
  readonly table: string;
  /** Sets inside a table of the administrator's, instead of an own table. */
  readonly integrated: boolean;
}

export interface NftLayout extends Layout {
  /** Priority of the own table's filter chains (lower runs first). */
  readonly priority: number;
  /** The per-source kernel limit on SPA ports (nft-bans.ts); absent: off. */
  readonly spaRateLimit?: SpaRateLimit | 'off';
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,30}$/;

/** The names of Portcullis's sets and maps in the target table. */
export function setNames(t: NftTarget) {
  const p = t.integrated ? 'portcullis_' : '';
  return {
    grants4: `${p}grants4`, grants6: `${p}grants6`,
    fwd4: `${p}fwd4`, fwd6: `${p}fwd6`, fwdok4: `${p}fwdok4`, fwdok6: `${p}fwdok6`,
  };
}

export function tableRef(t: NftTarget): string {
  if (!NAME.test(t.table)) throw bad(`table name must be a letter then letters, digits or _ (at most 31), not ${JSON.stringify(t.table)}`);
  if (t.family !== 'inet' && t.family !== 'ip' && t.family !== 'ip6') throw bad(`family must be inet, ip or ip6, not ${JSON.stringify(t.family)}`);
  return `${t.family} ${t.table}`;
}

/** Which address families the target can hold grants for. */
export function families(t: NftTarget): readonly (4 | 6)[] {
  return t.family === 'ip' ? [4] : t.family === 'ip6' ? [6] : [4, 6];
}

/**
 * Creates what is missing and replaces the chains' rules and the protected
 * ports; grants already in the sets are kept (a daemon restart must not close
 * them). One nft transaction.
 */
export function prepareScript(t: NftTarget, layout: NftLayout): string {
  const table = tableRef(t);
  const n = setNames(t);
  const lines = [`add table ${table}`];
  for (const f of families(t)) {
    lines.push(`add set ${table} ${f === 4 ? n.grants4 : n.grants6} { type ${addrType(f)} . inet_proto . inet_service; flags timeout; }`);
  }
  const rate = layout.spaRateLimit ?? 'off';
  // The ban sets: never flushed here, so bans survive restarts and reloads (nft-bans.ts).
  lines.push(...banSetLines(t, layout.spaPorts ?? [], rate));
  if (t.integrated) {
    if (layout.protected.length > 0 || layout.forwarded.length > 0) {
      // Integrated means the administrator's chains decide what is dropped.
      if (layout.forwarded.length > 0) throw bad('gateway forwarding needs Portcullis\'s own table; remove nft_table or the forward keys');
    }
    return `${lines.join('\n')}\n`;
  }
  const priority = checkPriority(layout.priority);
  lines.push(
    `add set ${table} protected { type inet_proto . inet_service; }`,
    `add map ${table} fwd4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; flags timeout; }`,
    `add map ${table} fwd6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; flags timeout; }`,
    `add set ${table} fwdok4 { type ipv4_addr . ipv4_addr . inet_proto . inet_service; flags timeout; }`,
    `add set ${table} fwdok6 { type ipv6_addr . ipv6_addr . inet_proto . inet_service; flags timeout; }`,
    `add set ${table} fwdprotected4 { type ipv4_addr . inet_proto . inet_service; }`,
    `add set ${table} fwdprotected6 { type ipv6_addr . inet_proto . inet_service; }`,
    `add chain ${table} input { type filter hook input priority ${priority}; policy accept; }`,
    `add chain ${table} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    `add chain ${table} forward { type filter hook forward priority ${priority}; policy accept; }`,
    `flush chain ${table} input`, `flush chain ${table} prerouting`, `flush chain ${table} forward`,
    `flush set ${table} protected`, `flush set ${table} fwdprotected4`, `flush set ${table} fwdprotected6`,
  );
  const services = layout.protected.map(service);
  if (services.length > 0) lines.push(`add element ${table} protected { ${services.join(', ')} }`);
  for (const f of [4, 6] as const) {
    const inside = layout.forwarded.filter((x) => familyOf(x.forward.host) === f).map((x) => `${address(x.forward.host)} . ${service({ proto: x.proto, port: x.forward.port })}`);
    if (inside.length > 0) lines.push(`add element ${table} fwdprotected${f} { ${inside.join(', ')} }`);
  }
  lines.push(
    // Established sessions outlive their grant (closing the door must not cut an SSH session).
    `add rule ${table} input ct state established,related accept`,
    // Banned sources reach no guarded port, granted or not (nft-bans.ts).
    ...banInputRules(t, rate),
    `add rule ${table} input ip saddr . meta l4proto . th dport @grants4 accept`,
    `add rule ${table} input ip6 saddr . meta l4proto . th dport @grants6 accept`,
    `add rule ${table} input meta l4proto . th dport @protected counter drop`,
    `add rule ${table} prerouting meta nfproto ipv4 dnat ip to ip saddr . meta l4proto . th dport map @fwd4`,
    `add rule ${table} prerouting meta nfproto ipv6 dnat ip6 to ip6 saddr . meta l4proto . th dport map @fwd6`,
    `add rule ${table} forward ct state established,related accept`,
    ...banForwardRules(t),
    `add rule ${table} forward ip saddr . ip daddr . meta l4proto . th dport @fwdok4 accept`,
    `add rule ${table} forward ip6 saddr . ip6 daddr . meta l4proto . th dport @fwdok6 accept`,
    `add rule ${table} forward ip daddr . meta l4proto . th dport @fwdprotected4 counter drop`,
    `add rule ${table} forward ip6 daddr . meta l4proto . th dport @fwdprotected6 counter drop`,
  );
  return `${lines.join('\n')}\n`;
}

/** Removes what prepareScript created: the own table, or our sets in the administrator's table. */
export function removeScript(t: NftTarget): string {
  const table = tableRef(t);
  if (!t.integrated) return `delete table ${table}\n`;
  const n = setNames(t);
  const sets = families(t).map((f) => (f === 4 ? n.grants4 : n.grants6));
  return `${[...sets.map((s) => `delete set ${table} ${s}`), ...banSetTeardown(t, 'delete')].join('\n')}\n`;
}

/** Empties our grant sets in the administrator's table (when their rules keep the sets in use). */
export function flushScript(t: NftTarget): string {
  const table = tableRef(t);
  const n = setNames(t);
  const sets = families(t).map((f) => `flush set ${table} ${f === 4 ? n.grants4 : n.grants6}`);
  return `${[...sets, ...banSetTeardown(t, 'flush')].join('\n')}\n`;
}

/** One element of a set or map: where it goes, its key, and (for maps) its data. */
export interface ElementRef {
  readonly set: string;
  readonly key: string;
  readonly data?: string;
}

/** The set/map elements that make up one entry (a forward entry is a DNAT element plus a forward accept). */
export function entryElements(t: NftTarget, e: { address: string; service: Service; forward?: Forward }): ElementRef[] {
  const n = setNames(t);
  const f = familyOf(e.address);
  if (!families(t).includes(f)) throw bad(`table ${tableRef(t)} holds no IPv${f} grants (${e.address})`);
  const src = address(e.address);
  if (!e.forward) return [{ set: f === 4 ? n.grants4 : n.grants6, key: `${src} . ${service(e.service)}` }];
  if (t.integrated) throw bad('gateway forwarding needs Portcullis\'s own table');
  if (familyOf(e.forward.host) !== f) throw bad(`forward from IPv${f} ${e.address} to ${e.forward.host}: the families must match`);
  const host = address(e.forward.host);
  const inside = service({ proto: e.service.proto, port: e.forward.port });
  return [
    { set: f === 4 ? n.fwd4 : n.fwd6, key: `${src} . ${service(e.service)}`, data: `${host} . ${inside.split(' . ')[1]}` },
    { set: f === 4 ? n.fwdok4 : n.fwdok6, key: `${src} . ${host} . ${inside}` },
  ];
}

/**
 * Opens (or extends) and closes elements in one transaction, as one line for
 * `nft -i`. nft's `add element` keeps the old timeout of an element that
 * exists, so an open adds, deletes and adds again: present with a fresh
 * timeout either way. A close adds (so the delete cannot fail) and deletes.
 */
export function elementsCommand(t: NftTarget, open: readonly { ref: ElementRef; seconds: number }[], close: readonly ElementRef[]): string {
  const table = tableRef(t);
  const cmds: string[] = [];
  const el = (r: ElementRef, timeout?: number) => `${r.key}${timeout === undefined ? '' : ` timeout ${checkTimeout(timeout)}s`}${r.data === undefined ? '' : ` : ${r.data}`}`;
  for (const r of close) cmds.push(`add element ${table} ${r.set} { ${el(r, 1)} }`, `delete element ${table} ${r.set} { ${r.key} }`);
  for (const { ref, seconds } of open) {
    cmds.push(`add element ${table} ${ref.set} { ${el(ref, 1)} }`, `delete element ${table} ${ref.set} { ${ref.key} }`, `add element ${table} ${ref.set} { ${el(ref, seconds)} }`);
  }
  return cmds.join('; ');
}


function addrType(f: 4 | 6): string {
  return f === 4 ? 'ipv4_addr' : 'ipv6_addr';
}

export function familyOf(text: string): 4 | 6 {
  const parsed = parseAddress(text);
  if (parsed === undefined) throw bad(`not an IP address literal: ${JSON.stringify(text)}`);
  return parsed.family;
}

/** The canonical text of an address literal; throws on anything else. */
export function address(text: string): string {
  const parsed = parseAddress(text);
  if (parsed === undefined) throw bad(`not an IP address literal: ${JSON.stringify(text)}`);
  return formatAddress(parsed);
}

function service(s: Service): string {
  if (s.proto !== 'tcp' && s.proto !== 'udp') throw bad(`protocol must be tcp or udp, not ${JSON.stringify(s.proto)}`);
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) throw bad(`port must be 1..65535, not ${s.port}`);
  return `${s.proto} . ${s.port}`;
}

function checkPriority(p: number): number {
  if (!Number.isInteger(p) || p < -1000 || p > 1000) throw bad(`chain priority must be a whole number from -1000 to 1000, not ${p}`);
  return p;
}

function checkTimeout(s: number): number {
  // nft takes up to 2^32-1 ms per element; keep well inside (46 days).
  if (!Number.isInteger(s) || s < 1 || s > 4_000_000) throw bad(`timeout must be 1..4000000 seconds, not ${s}`);
  return s;
}

function bad(message: string): FirewallError {
  return new FirewallError('FIREWALL_BAD_VALUE', message);
}
