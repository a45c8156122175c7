// iptables-save text → the doctor's model. Used for the tables iptables-nft
// manages (their JSON hides most matches as opaque `xt` expressions) and for
// iptables-legacy, whose rules nft cannot see at all. The built-in chains sit
// on the hooks and priorities iptables uses (iptables-nft registers the same).
import { tokenize } from '../firewall/iptables-spec.js';
import type { BaseHook, Cond, Family, Field, Rule, Table, Value, Verdict } from './rules.js';

type MatchValues = Extract<Cond, { kind: 'match' }>['values'];

const BUILTIN: Record<string, Record<string, Omit<BaseHook, 'policy'>>> = {
  filter: { INPUT: hook('input', 0), FORWARD: hook('forward', 0), OUTPUT: hook('output', 0) },
  nat: { PREROUTING: hook('prerouting', -100, 'nat'), INPUT: hook('input', 100, 'nat'), OUTPUT: hook('output', -100, 'nat'), POSTROUTING: hook('postrouting', 100, 'nat') },
  mangle: { PREROUTING: hook('prerouting', -150), INPUT: hook('input', -150), FORWARD: hook('forward', -150), OUTPUT: hook('output', -150, 'route'), POSTROUTING: hook('postrouting', -150) },
  raw: { PREROUTING: hook('prerouting', -300), OUTPUT: hook('output', -300) },
  security: { INPUT: hook('input', 50), FORWARD: hook('forward', 50), OUTPUT: hook('output', 50) },
};

function hook(h: string, priority: number, type = 'filter'): Omit<BaseHook, 'policy'> {
  return { hook: h, type, priority };
}

export function parseIptablesSave(text: string, family: Family, source: 'iptables-nft' | 'iptables-legacy'): Table[] {
  const tables: Table[] = [];
  let name: string | undefined;
  let chains = new Map<string, { name: string; base?: BaseHook; rules: Rule[] }>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      name = line.slice(1);
      chains = new Map();
    } else if (line === 'COMMIT' && name !== undefined) {
      tables.push({ family: family === 4 ? 'ip' : 'ip6', name, source, chains, sets: new Map() });
      name = undefined;
    } else if (line.startsWith(':') && name !== undefined) {
      const [chain = '', policy = '-'] = line.slice(1).split(/\s+/);
      const builtin = BUILTIN[name]?.[chain];
      const base = builtin && { ...builtin, policy: policy === 'DROP' ? 'drop' as const : 'accept' as const };
      chains.set(chain, { name: chain, ...(base && { base }), rules: [] });
    } else if (line.startsWith('-A ') && name !== undefined) {
      const words = tokenize(line);
      const chain = words[1] ?? '';
      let c = chains.get(chain);
      if (!c) chains.set(chain, (c = { name: chain, rules: [] }));
      c.rules.push(parseRule(line, words.slice(2), (t) => chains.has(t)));
    }
  }
  return tables;
}

/** Options whose value is a port list, by module. */
const PORT_OPTIONS: Record<string, { dir: 'dport' | 'sport' }> = {
  '--dport': { dir: 'dport' }, '--destination-port': { dir: 'dport' }, '--dports': { dir: 'dport' }, '--destination-ports': { dir: 'dport' },
  '--sport': { dir: 'sport' }, '--source-port': { dir: 'sport' }, '--sports': { dir: 'sport' }, '--source-ports': { dir: 'sport' },
};

/** Options of matches and targets that take no value. */
const FLAGS = new Set(['--syn', '--rsource', '--rdest', '--update', '--set', '--rcheck', '--remove', '--return-nomatch', '--kerneltz', '--log-uid', '--log-tcp-options', '--log-ip-options']);

function parseRule(line: string, words: string[], isChain: (name: string) => boolean): Rule {
  const conds: Cond[] = [];
  let verdict: Verdict = { kind: 'continue' };
  let proto = 'all';
  let negate = false;
  const match = (fields: Field[], values: MatchValues) => {
    conds.push({ kind: 'match', fields, values, negate });
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = () => words[++i] ?? '';
    if (w === '!') { negate = true; continue; }
    switch (w) {
      case '-p': case '--protocol':
        proto = next().toLowerCase();
        if (proto !== 'all') match([{ f: 'l4proto' }], [[proto]]);
        break;
      case '-s': case '--source': match([{ f: 'saddr' }], next().split(',').map((a) => [prefix(a)])); break;
      case '-d': case '--destination': match([{ f: 'daddr' }], next().split(',').map((a) => [prefix(a)])); break;
      case '-i': case '--in-interface': match([{ f: 'iif' }], [[next().replace(/\+$/, '*')]]); break;
      case '-o': case '--out-interface': conds.push({ kind: 'unknown', text: `-o ${next()}` }); break;
      case '-m': case '--match': {
        const m = next();
        if (m === 'limit') conds.push({ kind: 'limit', over: false });
        else if (!['tcp', 'udp', 'comment', 'conntrack', 'state', 'multiport', 'addrtype', 'set', 'icmp', 'icmp6'].includes(m)) conds.push({ kind: 'unknown', text: `-m ${m}` });
        if (m === 'icmp' || m === 'icmp6') conds.push({ kind: 'l4', protos: [m === 'icmp' ? 'icmp' : 'ipv6-icmp'] });
        break;
      }
      case '--ctstate': case '--state': match([{ f: 'ctstate' }], next().toLowerCase().split(',').map((s) => [s])); break;
      case '--dst-type': match([{ f: 'fibtype' }], next().toLowerCase().split(',').map((s) => [s])); break;
      case '--match-set': {
        const set = next();
        const dirs = next().split(',');
        // hash:ip,port with src,dst: the source address and the destination port.
        const fields: Field[] = dirs.map((d, n) => (n === 0 ? { f: d === 'src' ? 'saddr' : 'daddr' } : { f: 'port', dir: d === 'src' ? 'sport' : 'dport', proto: 'th' }));
        match(fields, { set });
        break;
      }
      case '--comment': case '--limit': case '--limit-burst': case '--icmp-type': case '--icmpv6-type': next(); break;
      case '-j': case '--jump': case '-g': case '--goto': {
        const target = next();
        verdict = w === '-g' || w === '--goto' ? { kind: 'goto', target } : isChain(target) ? { kind: 'jump', target } : targetVerdict(target);
        // The target's own options (--reject-with, --to-destination, --log-prefix) follow; none changes the verdict.
        while (i + 1 < words.length && words[i + 1]!.startsWith('--')) { i++; if (!FLAGS.has(words[i]!)) next(); }
        break;
      }
      default: {
        const port = PORT_OPTIONS[w];
        if (port) {
          match([{ f: 'port', dir: port.dir, proto }], next().split(',').map((p) => [portValue(p)]));
          conds.push({ kind: 'l4', protos: [proto] });
        } else if (w === '--syn') {
          conds.push({ kind: 'unknown', text: '--syn' });
        } else if (w.startsWith('-')) {
          conds.push({ kind: 'unknown', text: w });
          if (!FLAGS.has(w) && i + 1 < words.length && !words[i + 1]!.startsWith('-')) next();
        }
      }
    }
    negate = false;
  }
  return { ref: line, text: line, conds, verdict };
}

function targetVerdict(t: string): Verdict {
  switch (t) {
    case 'ACCEPT': return { kind: 'accept' };
    case 'DROP': return { kind: 'drop' };
    case 'REJECT': return { kind: 'reject' };
    case 'RETURN': return { kind: 'return' };
    case 'QUEUE': case 'NFQUEUE': return { kind: 'queue' };
    case 'DNAT': case 'REDIRECT': return { kind: 'nat' };
    default: return { kind: 'continue' }; // LOG, MARK, MASQUERADE…: they do not decide
  }
}

function prefix(a: string): Value {
  const [addr = a, len] = a.split('/');
  return { prefix: { addr, len: len === undefined ? (addr.includes(':') ? 128 : 32) : Number(len) } };
}

function portValue(p: string): Value {
  const [a, b] = p.split(':');
  return b === undefined ? Number(a) : { range: [Number(a || 0), Number(b || 65535)] };
}
