// Which tables, chains and sets of a ruleset are Portcullis's, for each
// backend and deployment, and who owns the others (for the fix to suggest).
import type { NftTable } from '../config/model.js';
import type { Context } from './evaluate.js';
import { tableName, tableSees, type Family, type Ruleset, type Table } from './rules.js';

export interface Deployment {
  readonly backend: 'nftables' | 'iptables' | 'ipset';
  /** `nft_table`: Portcullis's own table, or the administrator's (integrated). */
  readonly nftTable: NftTable;
  /** Whether the daemon answers on its control socket; undefined when unknown. */
  readonly daemonRunning: boolean | undefined;
}

export interface Portcullis extends Context {
  readonly deployment: Deployment;
  readonly integrated: boolean;
  /** How the analysis names Portcullis's part: `table inet portcullis`, `chain PORTCULLIS`. */
  readonly label: string;
  isOwnTable(t: Table): boolean;
  /** Whether Portcullis's own table/chain for `f` is in the ruleset (self-contained deployments). */
  present(rs: Ruleset, f: Family): boolean;
  /** The grant set the administrator's rule must match for `f` (integrated deployment). */
  grantSet(f: Family): string;
  /** The kernel ban set for `f`; undefined for backends that keep bans in the daemon or their own chain. */
  banSet(f: Family): string | undefined;
  isBanSet(table: Table, set: string): boolean;
}

const IPTABLES_CHAINS: Record<'iptables' | 'ipset', readonly string[]> = {
  iptables: ['PORTCULLIS', 'PORTCULLIS-DNAT', 'PORTCULLIS-FWD'],
  ipset: ['PORTCULLIS_SET'],
};

export function portcullis(d: Deployment): Portcullis {
  const t = d.nftTable;
  const isNftTarget = (x: Table) => x.source === 'nft' && x.family === t.family && x.name === t.name;
  if (d.backend === 'nftables') {
    const integrated = t.integrated;
    const sets = integrated ? ['portcullis_grants4', 'portcullis_grants6'] : ['grants4', 'grants6'];
    const bans = integrated ? ['portcullis_banned4', 'portcullis_banned6'] : ['banned4', 'banned6']; // nft-bans.ts banSetNames
    return {
      deployment: d, integrated,
      label: `table ${t.family} ${t.name}`,
      isGrantSet: (x, set) => isNftTarget(x) && sets.includes(set),
      isOwnChain: (x) => !integrated && isNftTarget(x),
      isOwnTable: (x) => !integrated && isNftTarget(x),
      present: (rs, f) => rs.tables.some((x) => isNftTarget(x) && tableSees(x, f) && [...x.chains.values()].some((c) => c.base?.hook === 'input')),
      grantSet: (f) => sets[f === 4 ? 0 : 1]!,
      banSet: (f) => bans[f === 4 ? 0 : 1]!,
      isBanSet: (x, set) => isNftTarget(x) && bans.includes(set),
    };
  }
  const chains = IPTABLES_CHAINS[d.backend];
  const isXt = (x: Table) => x.source !== 'nft';
  return {
    deployment: d, integrated: false,
    label: `chain ${chains[0]}`,
    isGrantSet: (x, set) => d.backend === 'ipset' && isXt(x) && (set === 'portcullis4' || set === 'portcullis6'),
    isOwnChain: (x, chain) => isXt(x) && chains.includes(chain),
    isOwnTable: () => false,
    present: (rs, f) => rs.tables.some((x) => isXt(x) && x.name === 'filter' && tableSees(x, f) && x.chains.has(chains[0]!)),
    grantSet: (f) => (f === 4 ? 'portcullis4' : 'portcullis6'),
    banSet: () => undefined,
    isBanSet: () => false,
  };
}

export type Owner = 'ufw' | 'firewalld' | 'iptables' | 'nft';

export function ownerOf(t: Table): Owner {
  if (t.source === 'nft') return t.family === 'inet' && t.name === 'firewalld' ? 'firewalld' : 'nft';
  return [...t.chains.keys()].some((c) => /^ufw6?-/.test(c)) ? 'ufw' : 'iptables';
}

/** The command that accepts proto/port for everyone at the top of `chain` (Portcullis's own drop still applies). */
export function acceptFix(t: Table, chain: string, proto: string, port: number): string {
  switch (ownerOf(t)) {
    case 'ufw': return `ufw allow ${port}/${proto}`;
    case 'firewalld': return `firewall-cmd --permanent --add-port=${port}/${proto} && firewall-cmd --reload`;
    case 'iptables': return `${t.family === 'ip6' ? 'ip6tables' : 'iptables'}${t.source === 'iptables-legacy' ? '-legacy' : ''} -I ${chain} -p ${proto} --dport ${port} -j ACCEPT`;
    case 'nft': return `nft insert rule ${tableName(t)} ${chain} ${proto} dport ${port} accept`;
  }
}

/** The command that accepts established/related packets at the top of `chain`. */
export function establishedFix(t: Table, chain: string): string {
  if (ownerOf(t) === 'nft' || ownerOf(t) === 'firewalld') return `nft insert rule ${tableName(t)} ${chain} ct state established,related accept`;
  return `${t.family === 'ip6' ? 'ip6tables' : 'iptables'} -I ${chain} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`;
}

/** The administrator's rule that lets Portcullis's grants in (integrated deployment). */
export function grantRule(f: Family): string {
  return `${f === 4 ? 'ip' : 'ip6'} saddr . meta l4proto . th dport @portcullis_grants${f} accept`;
}

/** The administrator's rule that drops banned sources (integrated deployment; README "Bans"). */
export function banRule(f: Family): string {
  return `${f === 4 ? 'ip' : 'ip6'} saddr @portcullis_banned${f} drop`;
}
