// nftables scripts for Portcullis's own table (self-contained deployment):
//
//   table inet portcullis {
//     set grants4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }
//     set grants6 { type ipv6_addr . inet_proto . inet_service; flags timeout; }
//     set protected { type inet_proto . inet_service; }
//     chain input {
//       type filter hook input priority -10; policy accept;
//       ct state established,related accept
//       ip saddr . meta l4proto . th dport @grants4 accept
//       ip6 saddr . meta l4proto . th dport @grants6 accept
//       meta l4proto . th dport @protected drop
//     }
//   }
//
// A grant is an element with a kernel timeout, so the kernel closes it even
// when the daemon is dead. nftables runs every base chain on a hook, so an
// accept here cannot override a drop in another table; the drop of a
// protected port here does apply whatever the other tables say.
//
// Pure: builds text for `nft -f -`; every value that goes into a script is
// validated as a literal first (nft's parser is the only interpreter, but a
// stray `;` or `}` would still change what the script means).
import { formatAddress, parseAddress } from '../config/address.js';

export type Proto = 'tcp' | 'udp';

export interface Service {
  readonly proto: Proto;
  readonly port: number;
}

export interface OwnTable {
  /** Table name within the inet family. Default portcullis. */
  readonly name: string;
  /** Base chain priority (lower runs first). */
  readonly priority: number;
  /** Ports nobody reaches without a grant. */
  readonly protected: readonly Service[];
}

export interface GrantElement {
  readonly address: string;
  readonly service: Service;
  /** Whole seconds the kernel keeps the element. */
  readonly timeoutSeconds: number;
}

export class NftScriptError extends Error {
  readonly code = 'NFT_BAD_VALUE';
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,30}$/;

/**
 * Creates the table, sets and chain if missing, and replaces the chain's rules
 * and the protected ports. Grants already in the sets are kept (a restart of
 * the daemon must not close them). Applied as one nft transaction.
 */
export function ownTableScript(t: OwnTable): string {
  const table = `inet ${tableName(t.name)}`;
  const priority = checkPriority(t.priority);
  const services = t.protected.map(service);
  return [
    `add table ${table}`,
    `add set ${table} grants4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }`,
    `add set ${table} grants6 { type ipv6_addr . inet_proto . inet_service; flags timeout; }`,
    `add set ${table} protected { type inet_proto . inet_service; }`,
    `add chain ${table} input { type filter hook input priority ${priority}; policy accept; }`,
    `flush chain ${table} input`,
    `flush set ${table} protected`,
    ...(services.length > 0 ? [`add element ${table} protected { ${services.join(', ')} }`] : []),
    // Established sessions outlive their grant (closing the door must not cut an SSH session).
    `add rule ${table} input ct state established,related accept`,
    `add rule ${table} input ip saddr . meta l4proto . th dport @grants4 accept`,
    `add rule ${table} input ip6 saddr . meta l4proto . th dport @grants6 accept`,
    `add rule ${table} input meta l4proto . th dport @protected counter drop`,
    '',
  ].join('\n');
}

/** Removes the table and everything in it. */
export function dropTableScript(name: string): string {
  return `delete table inet ${tableName(name)}\n`;
}

/**
 * Opens (or extends) grants. nft's `add element` keeps the old timeout of an
 * element that exists, so each element is added, deleted and added again in
 * one transaction: it ends up present with a fresh timeout either way.
 */
export function openScript(tableNameText: string, grants: readonly GrantElement[]): string {
  const table = `inet ${tableName(tableNameText)}`;
  const lines: string[] = [];
  for (const g of grants) {
    const { set, key } = element(g.address, g.service);
    const timeout = checkTimeout(g.timeoutSeconds);
    lines.push(`add element ${table} ${set} { ${key} }`, `delete element ${table} ${set} { ${key} }`, `add element ${table} ${set} { ${key} timeout ${timeout}s }`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** Closes grants; closing one that is not there is not an error (it is added first, then deleted). */
export function closeScript(tableNameText: string, grants: readonly Omit<GrantElement, 'timeoutSeconds'>[]): string {
  const table = `inet ${tableName(tableNameText)}`;
  const lines: string[] = [];
  for (const g of grants) {
    const { set, key } = element(g.address, g.service);
    lines.push(`add element ${table} ${set} { ${key} timeout 1s }`, `delete element ${table} ${set} { ${key} }`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function element(address: string, s: Service): { set: 'grants4' | 'grants6'; key: string } {
  const parsed = parseAddress(address);
  if (parsed === undefined) throw new NftScriptError(`not an IP address literal: ${JSON.stringify(address)}`);
  return { set: parsed.family === 4 ? 'grants4' : 'grants6', key: `${formatAddress(parsed)} . ${service(s)}` };
}

function service(s: Service): string {
  if (s.proto !== 'tcp' && s.proto !== 'udp') throw new NftScriptError(`protocol must be tcp or udp, not ${JSON.stringify(s.proto)}`);
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) throw new NftScriptError(`port must be 1..65535, not ${s.port}`);
  return `${s.proto} . ${s.port}`;
}

function tableName(name: string): string {
  if (!NAME.test(name)) throw new NftScriptError(`table name must be a letter then letters, digits or _ (at most 31), not ${JSON.stringify(name)}`);
  return name;
}

function checkPriority(p: number): number {
  if (!Number.isInteger(p) || p < -1000 || p > 1000) throw new NftScriptError(`chain priority must be a whole number from -1000 to 1000, not ${p}`);
  return p;
}

function checkTimeout(s: number): number {
  // nft takes up to 2^32-1 ms per element; keep well inside (49 days).
  if (!Number.isInteger(s) || s < 1 || s > 4_000_000) throw new NftScriptError(`timeout must be 1..4000000 seconds, not ${s}`);
  return s;
}
