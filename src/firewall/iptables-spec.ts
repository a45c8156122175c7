// Rule specs of Portcullis's iptables chains: built from checked literals
// for iptables-restore, and parsed back from `iptables -S CHAIN`. A grant is
// one rule per chain kind:
//
//   input  -s SRC -p P --dport PORT -m time --datestop D -m comment --comment "portcullis exp=E" -j ACCEPT
//   dnat   -s SRC -p P --dport PORT <time> <comment> -j DNAT --to-destination HOST:HPORT
//   fwd    -s SRC -d HOST -p P --dport HPORT -m conntrack --ctstate DNAT --ctorigdstport PORT <time> <comment> -j ACCEPT
//
// iptables prints specs back in its own way (`-s 10.1.2.3/32`, an implicit
// `-m tcp`, quotes around values with spaces, compressed IPv6), so parsing
// reads options, not text, and rebuilds the canonical values.
import { formatAddress, parseAddress } from '../config/address.js';
import type { EntryKey, Forward, Service } from './backend.js';
import { DATESTOP, datestopFor, literalAddress, literalPort, literalProto, type Family } from './iptables-literals.js';

export type GrantChain = 'input' | 'dnat' | 'fwd';

export interface GrantRule {
  readonly chain: GrantChain;
  readonly key: EntryKey;
  /** Unix second the kernel stops matching (from the comment). */
  readonly exp: number;
  /** The rule's own --datestop, kept as printed so `-D` names the rule exactly. */
  readonly datestop: string;
}

/** The tag of every jump into a Portcullis chain. */
export const JUMP_COMMENT = 'portcullis';
const EXP_COMMENT = /^portcullis exp=(\d{1,10})$/;

/** Open sessions outlive the grant that let them in (closing a door must not cut an SSH session). */
export const ESTABLISHED = '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT';

export function jumpArgs(chain: string): string[] {
  return ['-m', 'comment', '--comment', JUMP_COMMENT, '-j', chain];
}

export function protectedDrop(s: Service): string {
  return `-p ${literalProto(s.proto)} --dport ${literalPort(s.port)} -m comment --comment "portcullis protected" -j DROP`;
}

/** New connections to an inside destination through the gateway, without a grant. */
export function forwardedDrop(s: Service, to: Forward): string {
  const host = literalAddress(to.host).text;
  return `-d ${host} -p ${literalProto(s.proto)} --dport ${literalPort(to.port)} -m comment --comment "portcullis protected" -j DROP`;
}

/** A new grant rule stopping at unix second `exp`. */
export function grantRule(chain: GrantChain, key: EntryKey, exp: number): GrantRule {
  return { chain, key, exp, datestop: datestopFor(exp) };
}

/** The rule's spec for `-I`/`-D`; the key must already be canonical (literalKey). */
export function grantSpec(r: GrantRule): string {
  const { address, service, forward } = r.key;
  const expiry = `-m time --datestop ${r.datestop} -m comment --comment "portcullis exp=${r.exp}"`;
  if (r.chain === 'input') return `-s ${address} -p ${service.proto} --dport ${service.port} ${expiry} -j ACCEPT`;
  if (!forward) throw new Error(`a ${r.chain} rule needs a forward`);
  if (r.chain === 'dnat') {
    const to = r.key.family === 6 ? `[${forward.host}]:${forward.port}` : `${forward.host}:${forward.port}`;
    return `-s ${address} -p ${service.proto} --dport ${service.port} ${expiry} -j DNAT --to-destination ${to}`;
  }
  return `-s ${address} -d ${forward.host} -p ${service.proto} --dport ${forward.port} -m conntrack --ctstate DNAT --ctorigdstport ${service.port} ${expiry} -j ACCEPT`;
}

/** Splits a line as iptables prints it: words, and "quoted values" with \-escapes. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (/\s/.test(line[i]!)) { i++; continue; }
    let word = '';
    if (line[i] === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) word += line[i] === '\\' && i + 1 < line.length ? line[++i] : line[i];
      i++;
    } else {
      while (i < line.length && !/\s/.test(line[i]!)) word += line[i++];
    }
    out.push(word);
  }
  return out;
}

/** Whether a `-S FROM` line is Portcullis's jump into `chain`. */
export function isJump(line: string, from: string, chain: string): boolean {
  return tokenize(line).join(' ') === ['-A', from, ...jumpArgs(chain)].join(' ');
}

const VALUE_OPTIONS = new Set(['-s', '-d', '-p', '--dport', '--datestop', '--comment', '-j', '--to-destination', '--ctstate', '--ctorigdstport']);
const MODULES = new Set(['tcp', 'udp', 'time', 'comment', 'conntrack']);

/**
 * A grant rule from one `-S` line of `chainName`, or undefined when the line
 * is anything else (the fixed rules, or a rule not in Portcullis's form).
 */
export function parseGrant(kind: GrantChain, chainName: string, family: Family, line: string): GrantRule | undefined {
  const t = tokenize(line);
  if (t[0] !== '-A' || t[1] !== chainName || t.length % 2 !== 0) return undefined;
  const o = new Map<string, string>();
  for (let i = 2; i < t.length; i += 2) {
    const [name, value] = [t[i]!, t[i + 1]!];
    if (name === '-m' && MODULES.has(value)) continue;
    if (!VALUE_OPTIONS.has(name) || o.has(name)) return undefined; // `!`, `-i`, ...: not ours
    o.set(name, value);
  }
  const exp = EXP_COMMENT.exec(o.get('--comment') ?? '');
  const datestop = o.get('--datestop') ?? '';
  const address = host(o.get('-s'), family);
  const proto = o.get('-p');
  const port = portOf(o.get('--dport'));
  if (!exp || !DATESTOP.test(datestop) || !address || (proto !== 'tcp' && proto !== 'udp') || port === undefined) return undefined;
  const only = (...names: string[]) => [...o.keys()].every((n) => ['-s', '-p', '--dport', '--datestop', '--comment', '-j', ...names].includes(n));
  const base = { address, family, service: { proto, port } } as const;
  const rule = (key: EntryKey): GrantRule => ({ chain: kind, key, exp: Number(exp[1]), datestop });
  if (kind === 'input') return o.get('-j') === 'ACCEPT' && only() ? rule(base) : undefined;
  if (kind === 'dnat') {
    const to = destination(o.get('--to-destination'), family);
    return o.get('-j') === 'DNAT' && to && only('--to-destination') ? rule({ ...base, forward: to }) : undefined;
  }
  const inside = host(o.get('-d'), family);
  const gatewayPort = portOf(o.get('--ctorigdstport'));
  if (o.get('-j') !== 'ACCEPT' || !inside || o.get('--ctstate') !== 'DNAT' || gatewayPort === undefined || !only('-d', '--ctstate', '--ctorigdstport')) return undefined;
  return rule({ ...base, service: { proto, port: gatewayPort }, forward: { host: inside, port } });
}

/** `10.1.2.3/32` or `fd00::7/128` (one host) to canonical text; undefined otherwise. */
function host(text: string | undefined, family: Family): string | undefined {
  if (text === undefined) return undefined;
  const [addr, prefix, ...rest] = text.split('/');
  const parsed = parseAddress(addr!);
  if (!parsed || parsed.family !== family || rest.length > 0) return undefined;
  if (prefix !== undefined && prefix !== (family === 4 ? '32' : '128')) return undefined;
  return formatAddress(parsed);
}

/** `10.1.0.2:3389` or `[fd00:1::2]:3389`. */
function destination(text: string | undefined, family: Family): Forward | undefined {
  const m = text === undefined ? null : family === 4 ? /^([0-9.]+):(\d+)$/.exec(text) : /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(text);
  const h = m ? host(m[1], family) : undefined;
  const port = m ? portOf(m[2]) : undefined;
  return h && port !== undefined ? { host: h, port } : undefined;
}

function portOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}
