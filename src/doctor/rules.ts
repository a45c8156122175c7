// The doctor's model of a firewall ruleset: tables, chains and rules reduced
// to the conditions and verdicts that decide what happens to one packet.
// Built from `nft -j list ruleset` (from-nft.ts) and from iptables-save text
// for the tables iptables-nft or iptables-legacy manage (from-iptables.ts);
// evaluate.ts walks it. Plain data, no I/O.

export type Family = 4 | 6;

export type TableFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

export interface Ruleset {
  readonly tables: readonly Table[];
}

export interface Table {
  readonly family: TableFamily;
  readonly name: string;
  /** `nft`: native nftables; `iptables-nft`/`iptables-legacy`: read from iptables-save. */
  readonly source: 'nft' | 'iptables-nft' | 'iptables-legacy';
  /** Some rules hide their matches in opaque `xt` expressions (an iptables-nft table seen through nft JSON). */
  readonly opaque?: boolean;
  readonly chains: ReadonlyMap<string, Chain>;
  readonly sets: ReadonlyMap<string, NamedSet>;
}

export interface BaseHook {
  readonly hook: string;
  readonly type: string;
  readonly priority: number;
  readonly policy: 'accept' | 'drop';
}

export interface Chain {
  readonly name: string;
  /** Set for base chains (attached to a netfilter hook). */
  readonly base?: BaseHook;
  readonly rules: readonly Rule[];
}

export interface NamedSet {
  readonly name: string;
  /** Each element as a tuple (one value per part of a concatenated key). */
  readonly elements: readonly (readonly Value[])[];
}

export interface Rule {
  /** How to find it: `handle 7` (nft) or the `-A …` line (iptables). */
  readonly ref: string;
  /** The rule as an administrator would write it, for messages. */
  readonly text: string;
  readonly conds: readonly Cond[];
  readonly verdict: Verdict;
}

/** What a match compares: one part of the packet. */
export type Field =
  | { readonly f: 'l4proto' }
  | { readonly f: 'port'; readonly dir: 'dport' | 'sport'; readonly proto: string }
  | { readonly f: 'saddr' }
  | { readonly f: 'daddr' }
  | { readonly f: 'iif' }
  | { readonly f: 'ctstate' }
  | { readonly f: 'ctstatus' }
  | { readonly f: 'nfproto' }
  | { readonly f: 'pkttype' }
  | { readonly f: 'fibtype' }
  | { readonly f: 'fiboif' }
  | { readonly f: 'other'; readonly text: string };

export type Value =
  | string
  | number
  | boolean
  | { readonly range: readonly [Value, Value] }
  | { readonly prefix: { readonly addr: string; readonly len: number } };

export type Cond =
  /** `fields` (one, or a concatenation) equal one of the tuples, or are in the named set. */
  | {
      readonly kind: 'match';
      readonly fields: readonly Field[];
      readonly values: readonly (readonly Value[])[] | { readonly set: string };
      readonly negate: boolean;
    }
  /** A protocol the match implies (`tcp dport` only matches TCP), never negated. */
  | { readonly kind: 'l4'; readonly protos: readonly string[] }
  /** An address family the match implies (`ip saddr` in an inet table). */
  | { readonly kind: 'family'; readonly family: Family }
  | { readonly kind: 'limit'; readonly over: boolean }
  | { readonly kind: 'unknown'; readonly text: string };

export type Verdict =
  | { readonly kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' | 'queue' }
  | { readonly kind: 'jump' | 'goto'; readonly target: string }
  /** dnat/redirect: the packet is sent somewhere else. */
  | { readonly kind: 'nat' };

/** `inet filter`, as in nft commands. */
export function tableName(t: Pick<Table, 'family' | 'name'>): string {
  return `${t.family} ${t.name}`;
}

/** Which packet families a table sees. */
export function tableSees(t: Pick<Table, 'family'>, f: Family): boolean {
  return t.family === 'inet' || (t.family === 'ip' && f === 4) || (t.family === 'ip6' && f === 6);
}
