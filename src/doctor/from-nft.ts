// `nft -j list ruleset` (libnftables JSON, schema 1) → the doctor's model.
// Only what decides a packet's fate is kept: matches become Conds, verdicts
// Verdicts, a verdict map becomes one rule per entry; statements that do not
// change the verdict (counter, log) are dropped. Rules of iptables-nft appear
// here with opaque `xt` matches, which become unknown conditions (the caller
// replaces those tables with iptables-save's view, see from-iptables.ts).
import { PortcullisError } from '../errors.js';
import { render, renderExpr } from './render-nft.js';
import type { Chain, Cond, Field, NamedSet, Rule, Table, TableFamily, Value, Verdict } from './rules.js';

type J = Record<string, unknown>;

export class RulesetParseError extends PortcullisError {
  constructor(message: string) {
    super('DOCTOR_BAD_RULESET', message);
  }
}

export function parseNftRuleset(text: string): Table[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new RulesetParseError(`nft printed something that is not JSON: ${(err as Error).message}`);
  }
  const items = (doc as { nftables?: unknown }).nftables;
  if (!Array.isArray(items)) throw new RulesetParseError('nft JSON has no "nftables" array');
  const tables = new Map<string, {
    family: TableFamily; name: string; opaque: boolean;
    chains: Map<string, { name: string; base?: Chain['base']; rules: Rule[] }>;
    sets: Map<string, NamedSet>;
    /** Named verdict maps' entries (`tcp dport vmap @ports`). */
    vmaps: Map<string, unknown[]>;
  }>();
  const table = (family: string, name: string) => {
    const key = `${family} ${name}`;
    let t = tables.get(key);
    if (!t) tables.set(key, (t = { family: family as TableFamily, name, opaque: false, chains: new Map(), sets: new Map(), vmaps: new Map() }));
    return t;
  };
  for (const item of items as J[]) {
    const [kind, body] = Object.entries(item)[0] ?? [];
    const b = body as J | undefined;
    if (!b) continue;
    if (kind === 'table') table(String(b['family']), String(b['name']));
    else if (kind === 'chain') {
      const t = table(String(b['family']), String(b['table']));
      const base = typeof b['hook'] === 'string'
        ? { hook: b['hook'], type: String(b['type'] ?? 'filter'), priority: Number(b['prio'] ?? 0), policy: b['policy'] === 'drop' ? 'drop' as const : 'accept' as const }
        : undefined;
      t.chains.set(String(b['name']), { name: String(b['name']), ...(base && { base }), rules: [] });
    } else if (kind === 'set' || kind === 'map') {
      const t = table(String(b['family']), String(b['table']));
      const elem = Array.isArray(b['elem']) ? b['elem'] : [];
      t.sets.set(String(b['name']), { name: String(b['name']), elements: elem.map((e) => tuple(kind === 'map' && Array.isArray(e) ? e[0] : e)) });
      if (kind === 'map' && b['map'] === 'verdict') t.vmaps.set(String(b['name']), elem);
    } else if (kind === 'rule') {
      const t = table(String(b['family']), String(b['table']));
      const name = String(b['chain']);
      let c = t.chains.get(name);
      if (!c) t.chains.set(name, (c = { name, rules: [] }));
      const exprs = Array.isArray(b['expr']) ? (b['expr'] as J[]) : [];
      if (exprs.some((e) => 'xt' in e)) t.opaque = true;
      // nft lists sets and maps before the rules that use them.
      c.rules.push(...rules(`handle ${String(b['handle'])}`, exprs, (m) => t.vmaps.get(m)));
    }
  }
  return [...tables.values()].map((t) => ({ family: t.family, name: t.name, source: 'nft', ...(t.opaque && { opaque: true }), chains: t.chains, sets: t.sets }));
}

/** One JSON rule → one model rule, or one per entry of a verdict map. */
function rules(ref: string, exprs: readonly J[], vmap: (name: string) => unknown[] | undefined): Rule[] {
  const conds: Cond[] = [];
  let verdict: Verdict = { kind: 'continue' };
  const text = exprs.map(render).filter((s) => s !== '').join(' ');
  for (const e of exprs) {
    const [k, v] = Object.entries(e)[0] ?? [];
    const body = v as J;
    switch (k) {
      case 'match': conds.push(...matchConds(body)); break;
      case 'accept': case 'drop': case 'return': case 'continue': verdict = { kind: k }; break;
      case 'reject': verdict = { kind: 'reject' }; break;
      case 'queue': verdict = { kind: 'queue' }; break;
      case 'jump': case 'goto': verdict = { kind: k, target: String(body['target']) }; break;
      case 'dnat': case 'redirect':
        // `dnat to KEY map @m` does nothing for a packet whose key is not in the map.
        for (const x of [body['addr'], body['port']]) conds.push(...mapLookup(x));
        if (body['family'] === 'ip' || body['family'] === 'ip6') conds.push({ kind: 'family', family: body['family'] === 'ip' ? 4 : 6 });
        verdict = { kind: 'nat' };
        break;
      case 'limit': conds.push({ kind: 'limit', over: body['inv'] === true }); break;
      case 'meter': case 'quota': conds.push({ kind: 'unknown', text: render(e) }); break;
      case 'xt':
        if (body['type'] === 'match') conds.push({ kind: 'unknown', text: `xt ${String(body['name'])}` });
        else verdict = xtTarget(String(body['name']));
        break;
      case 'vmap': {
        const { fields, implied } = fieldsOf(body['key']);
        const data = body['data'];
        const entries = (typeof data === 'string' && data.startsWith('@') ? vmap(data.slice(1)) ?? [] : ((data as J | undefined)?.['set'] ?? [])) as unknown[];
        return entries.filter(Array.isArray).map(([key, target]) => ({
          ref, text, verdict: verdictOf(target as J),
          conds: [...conds, ...implied, { kind: 'match', fields, values: [tuple(key)], negate: false }],
        }));
      }
      default: break; // counter, log, mangle, notrack…: no effect on the verdict
    }
  }
  return [{ ref, text, conds, verdict }];
}

function mapLookup(x: unknown): Cond[] {
  const map = (x as J | null)?.['map'] as J | undefined;
  if (!map) return [];
  const { fields, implied } = fieldsOf(map['key']);
  const data = map['data'];
  const values = typeof data === 'string' && data.startsWith('@') ? { set: data.slice(1) }
    : (((data as J | null)?.['set'] ?? []) as unknown[]).filter(Array.isArray).map((e) => tuple(e[0]));
  return [...implied, { kind: 'match', fields, values, negate: false }];
}

function xtTarget(name: string): Verdict {
  if (name === 'REJECT') return { kind: 'reject' };
  if (name === 'DNAT' || name === 'REDIRECT') return { kind: 'nat' };
  return { kind: 'continue' }; // LOG, MARK…
}

function verdictOf(v: J | undefined): Verdict {
  const [k, body] = Object.entries(v ?? {})[0] ?? [];
  if (k === 'accept' || k === 'drop' || k === 'return' || k === 'continue') return { kind: k };
  if (k === 'jump' || k === 'goto') return { kind: k, target: String((body as J)['target']) };
  if (k === 'reject') return { kind: 'reject' };
  return { kind: 'continue' };
}

function matchConds(m: J): Cond[] {
  const op = String(m['op']);
  const { fields, implied } = fieldsOf(m['left']);
  if (op !== '==' && op !== '!=' && op !== 'in') return [...implied, { kind: 'unknown', text: `${renderExpr(m['left'])} ${op} ${renderExpr(m['right'])}` }];
  const right = m['right'];
  const values = typeof right === 'string' && right.startsWith('@') ? { set: right.slice(1) } : valueList(right);
  return [...implied, { kind: 'match', fields, values, negate: op === '!=' }];
}

const TRANSPORT = ['tcp', 'udp', 'udplite', 'sctp', 'dccp'];

/** The fields a left-hand expression reads, and what it implies about the packet. */
function fieldsOf(left: unknown): { fields: Field[]; implied: Cond[] } {
  const l = left as J;
  if (Array.isArray(l?.['concat'])) {
    const parts = (l['concat'] as unknown[]).map(fieldsOf);
    return { fields: parts.flatMap((p) => p.fields), implied: parts.flatMap((p) => p.implied) };
  }
  const other = (): { fields: Field[]; implied: Cond[] } => ({ fields: [{ f: 'other', text: renderExpr(left) }], implied: [] });
  if (l?.['payload']) {
    const p = l['payload'] as J;
    const proto = String(p['protocol']);
    const field = String(p['field']);
    const implied: Cond[] = proto === 'ip' ? [{ kind: 'family', family: 4 }]
      : proto === 'ip6' ? [{ kind: 'family', family: 6 }]
      : proto === 'th' ? [{ kind: 'l4', protos: TRANSPORT }]
      : TRANSPORT.includes(proto) ? [{ kind: 'l4', protos: [proto] }]
      : proto === 'icmp' ? [{ kind: 'l4', protos: ['icmp'] }]
      : proto === 'icmpv6' ? [{ kind: 'l4', protos: ['ipv6-icmp'] }]
      : [];
    if ((proto === 'th' || TRANSPORT.includes(proto)) && (field === 'dport' || field === 'sport')) return { fields: [{ f: 'port', dir: field, proto }], implied };
    if ((proto === 'ip' || proto === 'ip6') && (field === 'saddr' || field === 'daddr')) return { fields: [{ f: field }], implied };
    if ((proto === 'ip' && field === 'protocol') || (proto === 'ip6' && field === 'nexthdr')) return { fields: [{ f: 'l4proto' }], implied };
    return { fields: [{ f: 'other', text: renderExpr(left) }], implied };
  }
  if (l?.['meta']) {
    const key = String((l['meta'] as J)['key']);
    if (key === 'l4proto') return { fields: [{ f: 'l4proto' }], implied: [] };
    if (key === 'nfproto' || key === 'protocol') return { fields: [{ f: 'nfproto' }], implied: [] };
    if (key === 'iif' || key === 'iifname') return { fields: [{ f: 'iif' }], implied: [] };
    if (key === 'pkttype') return { fields: [{ f: 'pkttype' }], implied: [] };
    return other();
  }
  if (l?.['ct']) {
    const key = String((l['ct'] as J)['key']);
    return key === 'state' ? { fields: [{ f: 'ctstate' }], implied: [] } : key === 'status' ? { fields: [{ f: 'ctstatus' }], implied: [] } : other();
  }
  if (l?.['fib']) {
    const fib = l['fib'] as J;
    const flags = Array.isArray(fib['flags']) ? fib['flags'] : [];
    if (fib['result'] === 'type' && flags.includes('daddr')) return { fields: [{ f: 'fibtype' }], implied: [] };
    if (fib['result'] === 'oif' || fib['result'] === 'oifname') return { fields: [{ f: 'fiboif' }], implied: [] };
  }
  if (l?.['&']) {
    const inner = (l['&'] as unknown[]).map(fieldsOf);
    return { fields: [{ f: 'other', text: renderExpr(left) }], implied: inner.flatMap((p) => p.implied) };
  }
  return other();
}

/** A right-hand side → the tuples it stands for (a set literal: one tuple per element). */
function valueList(v: unknown): Value[][] {
  if (Array.isArray(v)) return v.map((x) => [scalar(x)]); // `ct state established,related`
  const set = (v as J | null)?.['set'];
  if (Array.isArray(set)) return set.map(tuple);
  return [tuple(v)];
}

function tuple(e: unknown): Value[] {
  const wrapped = (e as J | null)?.['elem'] as J | undefined;
  const v = wrapped ? wrapped['val'] : e;
  const concat = (v as J | null)?.['concat'];
  return Array.isArray(concat) ? concat.map(scalar) : [scalar(v)];
}

function scalar(v: unknown): Value {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  const o = v as J | null;
  if (Array.isArray(o?.['range'])) {
    const [a, b] = o['range'] as unknown[];
    return { range: [scalar(a), scalar(b)] };
  }
  const prefix = o?.['prefix'] as J | undefined;
  if (prefix) return { prefix: { addr: String(prefix['addr']), len: Number(prefix['len']) } };
  return renderExpr(v);
}
