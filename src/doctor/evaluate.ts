// What the ruleset does with one hypothetical packet (a probe): which base
// chains on the prerouting and input hooks see it, and what each decides.
//
// nftables semantics, which iptables-nft and iptables-legacy share: every base
// chain registered on a hook runs, in priority order. `accept` ends only the
// chain it is in (the packet goes on to the next base chain); `drop`/`reject`
// anywhere ends the packet. So a packet gets in only if no chain drops it, and
// no table can "override" another's drop.
//
// Conditions doctor cannot evaluate (marks, rate meters, opaque xt matches)
// are tried both ways, so a result can be "depends on rule X".
import { parseAddress } from '../config/address.js';
import { tableSees, type Chain, type Cond, type Family, type Field, type Rule, type Ruleset, type Table, type Value } from './rules.js';

export interface Probe {
  readonly family: Family;
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
  /** `new`: a connection attempt; `established`: a packet of a connection already let in. */
  readonly ct: 'new' | 'established';
  /** The source is in Portcullis's grant set (a knock succeeded). */
  readonly granted: boolean;
  /** The source is in Portcullis's ban set; absent: it is not. */
  readonly banned?: boolean;
  /** The ingress interface; undefined when doctor checks `any`. */
  readonly iface?: string;
  /** The host's addresses the packet may be sent to. */
  readonly daddrs?: readonly string[];
}

export interface Context {
  /** Whether `set` in `table` holds Portcullis's grants. */
  isGrantSet(table: Table, set: string): boolean;
  /** Portcullis's own chains: they accept a granted packet (whatever grants are in them now). */
  isOwnChain(table: Table, chain: string): boolean;
  /** Whether `set` in `table` holds Portcullis's kernel bans. */
  isBanSet?(table: Table, set: string): boolean;
}

export interface Outcome {
  readonly verdict: 'accept' | 'drop' | 'reject' | 'queue' | 'nat';
  /** The rule that decided; undefined when the base chain's policy did. */
  readonly rule?: Rule;
  /** The (base or regular) chain the deciding rule is in. */
  readonly chain: string;
  /** Rules whose conditions doctor could not evaluate, on the way to this outcome. */
  readonly assumed: readonly Rule[];
  /** Decided by Portcullis's own chain for a granted packet. */
  readonly own?: boolean;
}

export type Summary = 'accept' | 'drop' | 'nat' | 'depends';

export interface ChainResult {
  readonly table: Table;
  readonly chain: Chain;
  readonly outcomes: readonly Outcome[];
  readonly summary: Summary;
}

type Tri = boolean | undefined;
type Step = Outcome | { readonly end: true; readonly assumed: readonly Rule[] };

const MAX_ASSUMED = 6;
const MAX_DEPTH = 32;
const HOOKS = ['prerouting', 'input'];

/** The base chains on the packet's way in, in the order the kernel runs them, with their decisions. */
export function hookPath(rs: Ruleset, p: Probe, ctx: Context): ChainResult[] {
  const bases: { table: Table; chain: Chain }[] = [];
  for (const table of rs.tables) {
    if (!tableSees(table, p.family)) continue;
    for (const chain of table.chains.values()) {
      const b = chain.base;
      if (!b || !HOOKS.includes(b.hook)) continue;
      if (b.type === 'nat' && p.ct !== 'new') continue; // NAT chains see only a connection's first packet
      bases.push({ table, chain });
    }
  }
  bases.sort((a, b) => HOOKS.indexOf(a.chain.base!.hook) - HOOKS.indexOf(b.chain.base!.hook) || a.chain.base!.priority - b.chain.base!.priority);
  return bases.map(({ table, chain }) => {
    const outcomes = walk(table, chain, 0, p, ctx, [], 0).map((s): Outcome => ('end' in s
      ? { verdict: chain.base!.policy, chain: chain.name, assumed: s.assumed }
      : s));
    return { table, chain, outcomes, summary: summarize(outcomes) };
  });
}

/** The packet's fate on the whole path: dropped by some chain, diverted by NAT, let in, or undecidable. */
export function pathVerdict(results: readonly ChainResult[]): Summary {
  let depends = false;
  for (const r of results) {
    if (r.summary === 'drop' || r.summary === 'nat') return r.summary;
    if (r.summary === 'depends') depends = true;
  }
  return depends ? 'depends' : 'accept';
}

function summarize(outcomes: readonly Outcome[]): Summary {
  const kinds = new Set(outcomes.map((o) => (o.verdict === 'reject' ? 'drop' : o.verdict === 'queue' ? 'depends' : o.verdict)));
  return kinds.size === 1 ? ([...kinds][0] as Summary) : 'depends';
}

function walk(table: Table, chain: Chain, start: number, p: Probe, ctx: Context, assumed: readonly Rule[], depth: number): Step[] {
  // A banned probe walks even our own chains: whether their ban drop comes first is the question.
  if (start === 0 && p.granted && !p.banned && ctx.isOwnChain(table, chain.name)) return [{ verdict: 'accept', chain: chain.name, assumed, own: true }];
  for (let i = start; i < chain.rules.length; i++) {
    const rule = chain.rules[i]!;
    const m = ruleMatches(rule, table, p, ctx);
    if (m === false) continue;
    if (m === undefined) {
      if (assumed.length >= MAX_ASSUMED) continue;
      const more = [...assumed, rule];
      return [...apply(table, chain, i, p, ctx, more, depth), ...walk(table, chain, i + 1, p, ctx, more, depth)];
    }
    return apply(table, chain, i, p, ctx, assumed, depth);
  }
  return [{ end: true, assumed }];
}

/** The rule at `i` matched: its verdict, following jumps. */
function apply(table: Table, chain: Chain, i: number, p: Probe, ctx: Context, assumed: readonly Rule[], depth: number): Step[] {
  const rule = chain.rules[i]!;
  const v = rule.verdict;
  switch (v.kind) {
    case 'accept': case 'drop': case 'reject': case 'queue': case 'nat':
      return [{ verdict: v.kind, rule, chain: chain.name, assumed }];
    case 'continue':
      return walk(table, chain, i + 1, p, ctx, assumed, depth);
    case 'return':
      return [{ end: true, assumed }];
    case 'jump': case 'goto': {
      const target = table.chains.get(v.target);
      if (!target || depth >= MAX_DEPTH) return walk(table, chain, i + 1, p, ctx, assumed, depth);
      const sub = walk(table, target, 0, p, ctx, assumed, depth + 1);
      if (v.kind === 'goto') return sub; // the end of a goto'd chain returns to our caller
      return sub.flatMap((s) => ('end' in s ? walk(table, chain, i + 1, p, ctx, s.assumed, depth) : [s]));
    }
  }
}

function ruleMatches(rule: Rule, table: Table, p: Probe, ctx: Context): Tri {
  return and(rule.conds.map((c) => condMatches(c, table, p, ctx)));
}

function condMatches(c: Cond, table: Table, p: Probe, ctx: Context): Tri {
  switch (c.kind) {
    case 'l4': return c.protos.includes(p.proto);
    case 'family': return c.family === p.family;
    case 'limit': return !c.over; // the first packets are within any rate
    case 'unknown': return undefined;
    case 'match': {
      let r: Tri;
      if ('set' in c.values) {
        const set = table.sets.get(c.values.set);
        if (ctx.isGrantSet(table, c.values.set)) r = p.granted;
        else if (ctx.isBanSet?.(table, c.values.set)) r = p.banned === true;
        else if (set) r = tuples(c.fields, set.elements, p);
        else r = c.fields[0]?.f === 'saddr' ? false : undefined; // an ipset of sources: not "every source"
      } else {
        r = tuples(c.fields, c.values, p);
      }
      return c.negate ? not(r) : r;
    }
  }
}

function tuples(fields: readonly Field[], values: readonly (readonly Value[])[], p: Probe): Tri {
  return or(values.map((t) => and(fields.map((f, i) => fieldIs(f, t[i], p)))));
}

const PROTO_NUMBERS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', icmpv6: 'ipv6-icmp' };
const SERVICES: Record<string, number> = { ssh: 22, http: 80, https: 443, smtp: 25, domain: 53, 'ms-wbt-server': 3389 };
/** Linux's default ephemeral range: where a client's source port is. */
const EPHEMERAL: readonly [number, number] = [32768, 60999];

/** Whether the probe's `field` equals `v` ("every source" for addresses: only 0.0.0.0/0 matches). */
function fieldIs(field: Field, v: Value | undefined, p: Probe): Tri {
  if (v === undefined) return undefined;
  switch (field.f) {
    case 'l4proto': return protoName(v) === p.proto;
    case 'port': {
      if (field.proto !== 'th' && field.proto !== 'all' && field.proto !== p.proto) return false;
      const [lo, hi] = range(v);
      if (field.dir === 'dport') return lo === undefined ? undefined : p.port >= lo && p.port <= hi!;
      if (lo === undefined) return undefined;
      if (lo <= EPHEMERAL[0] && hi! >= EPHEMERAL[1]) return true;
      return hi! < EPHEMERAL[0] || lo > EPHEMERAL[1] ? false : undefined;
    }
    case 'saddr': return typeof v === 'object' && 'prefix' in v && v.prefix.len === 0;
    case 'daddr': {
      const mine = (p.daddrs ?? []).filter((a) => parseAddress(a)?.family === p.family);
      if (mine.length === 0) return undefined;
      const hits = mine.filter((a) => inPrefix(a, v));
      return hits.length === mine.length ? true : hits.length === 0 ? false : undefined;
    }
    case 'iif': {
      if (typeof v !== 'string') return undefined;
      if (p.iface === undefined) return v === 'lo' ? false : undefined;
      return v.endsWith('*') ? p.iface.startsWith(v.slice(0, -1)) : p.iface === v;
    }
    case 'ctstate': return v === p.ct;
    case 'ctstatus': return v === 'dnat' || v === 'snat' ? false : undefined;
    case 'nfproto': return v === 'ipv4' || v === 'ip' ? p.family === 4 : v === 'ipv6' || v === 'ip6' ? p.family === 6 : false;
    case 'pkttype': return v === 'host' || v === 'unicast';
    case 'fibtype': return v === 'local';
    case 'fiboif': return v === false || v === 'missing' || v === 0 ? false : undefined; // the knocker's address routes back
    case 'other': return undefined;
  }
}

function protoName(v: Value): string {
  const s = String(v).toLowerCase();
  return PROTO_NUMBERS[s] ?? s;
}

function range(v: Value): [number | undefined, number | undefined] {
  if (typeof v === 'object' && 'range' in v) {
    const [a, b] = v.range.map(portNumber);
    return [a, b];
  }
  const n = portNumber(v);
  return [n, n];
}

function portNumber(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : SERVICES[v];
  return undefined;
}

function inPrefix(address: string, v: Value): boolean {
  const a = parseAddress(address);
  const net = typeof v === 'object' && 'prefix' in v ? v.prefix : typeof v === 'string' ? { addr: v, len: 128 } : undefined;
  const n = net && parseAddress(net.addr);
  if (!a || !n || a.family !== n.family) return false;
  const len = Math.min(net.len, a.bytes.length * 8);
  for (let bit = 0; bit < len; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((a.bytes[bit >> 3]! & mask) !== (n.bytes[bit >> 3]! & mask)) return false;
  }
  return true;
}

function and(xs: readonly Tri[]): Tri {
  if (xs.includes(false)) return false;
  return xs.includes(undefined) ? undefined : true;
}

function or(xs: readonly Tri[]): Tri {
  if (xs.includes(true)) return true;
  return xs.includes(undefined) ? undefined : false;
}

function not(x: Tri): Tri {
  return x === undefined ? undefined : !x;
}
