// firewalld rich rules as text (firewalld.richlanguage(5)): the one rule shape
// the firewalld backend writes and reads back (richRule, parseRule), with the
// checks that keep every value in it a literal, and the reading of the
// administrator's rules that accept with no source (sourcelessAccept).
import { formatAddress, parseAddress } from '../config/address.js';
import { FirewallError, type EntryKey, type InstalledEntry, type Service } from './backend.js';

/** A rule of exactly the shape richRule() writes; firewalld lists rules in this canonical order. */
const OURS = /^rule family="ipv([46])" source address="([0-9A-Fa-f:.]+)" port port="([1-9][0-9]{0,4})" protocol="(tcp|udp)" accept$/;

/** A port or port range of a protocol, as firewalld writes them (`22/tcp`, `60000-61000/udp`). */
export interface PortRange {
  readonly from: number;
  readonly to: number;
  readonly proto: string;
}

/** An accepting rich rule with no source (or `source NOT`), and what it accepts. */
export interface SourcelessAccept {
  readonly source: 'none' | 'not';
  readonly element:
    | { readonly kind: 'any' }
    | { readonly kind: 'port'; readonly range: PortRange }
    | { readonly kind: 'protocol'; readonly value: string }
    | { readonly kind: 'service'; readonly name: string };
}

/** Rich rule elements (firewalld.richlanguage(5)); at most one per rule. */
const ELEMENTS = new Set(['port', 'service', 'protocol', 'source-port', 'forward-port', 'icmp-block', 'icmp-type', 'masquerade', 'tcp-mss-clamp']);
/** The other words of a rule: what follows them up to the next word are their attributes. */
const CLAUSES = new Set(['destination', 'log', 'nflog', 'audit', 'limit', 'accept', 'reject', 'drop', 'mark']);

/** The rich rule for an entry, in firewalld's canonical order (as --list-rich-rules prints it). */
export function richRule(e: EntryKey): string {
  if (e.forward !== undefined) throw noForwarding();
  const parsed = typeof e.address === 'string' ? parseAddress(e.address) : undefined;
  if (parsed === undefined) throw bad(`not an IP address literal: ${JSON.stringify(e.address)}`);
  if (parsed.family !== e.family) throw bad(`${e.address} is not an IPv${e.family} address`);
  const s = literalService(e.service);
  return `rule family="ipv${parsed.family}" source address="${formatAddress(parsed)}" port port="${s.port}" protocol="${s.proto}" accept`;
}

/** The entry a listed rule stands for, if the rule is exactly of our shape with a canonical address. */
export function parseRule(line: string): InstalledEntry | undefined {
  const m = OURS.exec(line);
  if (m === null) return undefined;
  const family = m[1] === '4' ? 4 : 6;
  const parsed = parseAddress(m[2]!);
  const port = Number(m[3]);
  if (parsed === undefined || parsed.family !== family || formatAddress(parsed) !== m[2] || port > 65535) return undefined;
  return { address: m[2]!, family, service: { proto: m[4] as Service['proto'], port } };
}

export function literalService(s: Service): Service {
  if (s.proto !== 'tcp' && s.proto !== 'udp') throw bad(`protocol must be tcp or udp, not ${JSON.stringify(s.proto)}`);
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) throw bad(`port must be 1..65535, not ${JSON.stringify(s.port)}`);
  return s;
}

/**
 * The rich rule's source and accepted element when it accepts with no source
 * or a `source NOT`; undefined for any other rule (one with a source, a
 * non-accepting action, no action, an element that accepts no port, or words
 * that are not the rich language).
 */
export function sourcelessAccept(rule: string): SourcelessAccept | undefined {
  const words = splitRule(rule);
  if (words === undefined || words[0] !== 'rule') return undefined;
  let source: 'none' | 'some' | 'not' = 'none';
  let element: string | undefined;
  let context = 'rule';
  let accept = false;
  const attrs = new Map<string, string>();
  for (const word of words.slice(1)) {
    const eq = word.indexOf('=');
    if (eq > 0) {
      if (context === element) attrs.set(word.slice(0, eq), word.slice(eq + 1));
    } else if (word === 'source') {
      source = 'some';
      context = word;
    } else if (word === 'not' || word === 'NOT') {
      if (context === 'source') source = 'not';
    } else if (ELEMENTS.has(word) && element === undefined) {
      element = word;
      context = word;
    } else if (CLAUSES.has(word)) {
      if (word === 'accept') accept = true;
      context = word;
    } else {
      return undefined;
    }
  }
  if (!accept || source === 'some') return undefined;
  if (element === undefined) return { source, element: { kind: 'any' } };
  if (element === 'port') {
    const range = parsePortRange(`${attrs.get('port') ?? ''}/${attrs.get('protocol') ?? ''}`);
    return range === undefined ? undefined : { source, element: { kind: 'port', range } };
  }
  if (element === 'protocol') {
    const value = attrs.get('value');
    return value === undefined ? undefined : { source, element: { kind: 'protocol', value } };
  }
  if (element === 'service') {
    const name = attrs.get('name');
    return name === undefined ? undefined : { source, element: { kind: 'service', name } };
  }
  return undefined; // source-port, forward-port, icmp-*, masquerade, tcp-mss-clamp: no local port opened
}

/** Words split at blanks outside double quotes, quotes dropped (firewalld's splitArgs); undefined if a quote is open. */
function splitRule(text: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let any = false;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (any) words.push(word);
      word = '';
      any = false;
    } else {
      word += ch;
      any = true;
    }
  }
  if (quoted) return undefined;
  if (any) words.push(word);
  return words;
}

export function parsePortRange(text: string): PortRange | undefined {
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?\/([a-z]+)$/.exec(text);
  if (m === null) return undefined;
  const from = Number(m[1]);
  return { from, to: m[2] === undefined ? from : Number(m[2]), proto: m[3]! };
}

export function noForwarding(): FirewallError {
  return bad('gateway forwarding needs the nftables or iptables backend');
}

export function bad(message: string): FirewallError {
  return new FirewallError('FIREWALL_BAD_VALUE', message);
}
