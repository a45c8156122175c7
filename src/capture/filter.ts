// The libpcap filter: only packets that can matter leave the kernel. That is
// each door's knocks to its destination addresses (TCP to a step port with the
// door's TCPFlags, UDP to a step port, ICMP echo requests) and decoy hits.
// Everything else, above all a busy service's own traffic, is dropped by the
// kernel before Node sees it. Pure: the output depends only on the input, so
// the daemon can compare strings and skip reopening when nothing changed.
//
// Grammar notes (pcap-filter(7), libpcap 1.10): `and` and `or` have EQUAL
// precedence and associate left to right, so every compound term is
// parenthesised; `tcp[...]` only reaches IPv4, so IPv6 flags are read at
// ip6[53] (40-byte header + 13), which is right because libpcap's
// `tcp dst port` only matches IPv6 when TCP directly follows the header; an
// expression libpcap proves can never match is a compile error
// ("expression rejects all packets"), hence MATCH_NOTHING.
import { TCP_FLAG_BITS, type Door, type PortRange, type TcpFlagRule } from '../config/model.js';
import { formatAddress, parseAddress } from '../config/address.js';
import { PortcullisError } from '../errors.js';

export interface FilterInput {
  readonly doors: readonly Door[];
  /** Destinations for doors without `target` (canonical text). */
  readonly localAddresses: { readonly v4: readonly string[]; readonly v6: readonly string[] };
  /** knockd -4: IPv6 is never captured. */
  readonly ipv4Only: boolean;
  readonly decoys: { readonly tcp: readonly PortRange[]; readonly udp: readonly PortRange[] } | 'all-unserved' | 'none';
  /** Listening TCP and bound UDP ports: never decoys in 'all-unserved' mode. */
  readonly servedTcp: readonly number[];
  readonly servedUdp: readonly number[];
  /** Where replies to the host's own UDP clients arrive; never decoys in 'all-unserved' mode. */
  readonly ephemeralUdp?: PortRange;
}

/** Passes no real packet (only frames of at most one byte), for when there is nothing to watch. */
export const MATCH_NOTHING = 'less 1';

/** Destination addresses a set of doors listens on; none at all means "any destination". */
interface Destination {
  readonly v4: readonly string[];
  readonly v6: readonly string[];
  readonly doors: Door[];
}

export function buildCaptureFilter(input: FilterInput): string {
  const groups = destinations(input);
  const terms: string[] = [];
  for (const g of groups) {
    const unrestricted = g.v4.length === 0 && g.v6.length === 0;
    const fam = { v4: unrestricted || g.v4.length > 0, v6: unrestricted ? !input.ipv4Only : g.v6.length > 0 };
    const parts = [...knockTerms(g.doors, fam), ...decoyTerms(input, fam)];
    if (parts.length === 0) continue;
    const what = parts.length === 1 ? parts[0]! : parts.map(paren).join(' or ');
    if (!unrestricted) {
      const hosts = [...g.v4, ...g.v6].map((a) => `dst host ${a}`).join(' or ');
      terms.push(`${paren(hosts)} and ${paren(what)}`);
    } else {
      terms.push(input.ipv4Only ? `ip and ${paren(what)}` : what);
    }
  }
  if (terms.length === 0) return MATCH_NOTHING;
  return terms.length === 1 ? terms[0]! : terms.map(paren).join(' or ');
}

/** Doors grouped by where their knocks must go: the local addresses, or each Target. */
function destinations(input: FilterInput): Destination[] {
  const local: Destination = {
    v4: canonicalAll(input.localAddresses.v4),
    v6: input.ipv4Only ? [] : canonicalAll(input.localAddresses.v6),
    doors: [],
  };
  const byTarget = new Map<string, Destination>();
  for (const door of input.doors) {
    if (door.target === undefined) { local.doors.push(door); continue; }
    const a = canonical(door.target);
    if (a.includes(':') && input.ipv4Only) continue; // IPv6 is not captured at all
    let d = byTarget.get(a);
    if (!d) {
      d = a.includes(':') ? { v4: [], v6: [a], doors: [] } : { v4: [a], v6: [], doors: [] };
      byTarget.set(a, d);
    }
    d.doors.push(door);
  }
  const all = [local, ...[...byTarget.keys()].sort().map((k) => byTarget.get(k)!)];
  return all.filter((d) => d.doors.length > 0);
}

function canonical(text: string): string {
  const a = parseAddress(text.replace(/%.*$/, ''));
  if (!a) throw new PortcullisError('CAPTURE_BAD_ADDRESS', `"${text}" is not an IP address; the capture filter needs numeric addresses`);
  return formatAddress(a);
}

function canonicalAll(list: readonly string[]): string[] {
  return [...new Set(list.map(canonical))].sort();
}

interface Families { readonly v4: boolean; readonly v6: boolean }

/** What a group of doors listens for: step ports (TCP with each door's flags), ICMP echo. */
function knockTerms(doors: readonly Door[], fam: Families): string[] {
  const tcpByFlags = new Map<string, { mask: number; value: number; ports: Set<number> }>();
  const udp = new Set<number>();
  let icmp = false;
  const derived: string[] = [];
  for (const door of doors) {
    // An SPA door (src/spa-server/): its UDP port, when captured (`spa_listen = socket` reads a socket instead).
    if (door.spa) { if (door.spa.listen === 'pcap') udp.add(door.spa.port); continue; }
    const flags = flagMask(door.tcpFlags);
    // A sequence_secret door (src/door/secret-sequence.ts): its whole port range, so the filter
    // need not change at every window; TCP only with the door's flags (ACK clear, config/door.ts).
    const secret = door.sequenceSecret;
    if (secret) {
      const range = portsTerm(secret.proto, [secret.ports]);
      if (secret.proto === 'udp') derived.push(range);
      else if (flags !== undefined) derived.push(flags.mask === 0 ? range : `${paren(range)} and ${paren(flagTest(flags.mask, flags.value, fam))}`);
      continue;
    }
    for (const step of door.sequence) {
      if (step.proto === 'udp') udp.add(step.port);
      else if (step.proto === 'icmp') icmp = true;
      else if (flags !== undefined) {
        const key = `${flags.mask}/${flags.value}`;
        const entry = tcpByFlags.get(key) ?? { ...flags, ports: new Set<number>() };
        entry.ports.add(step.port);
        tcpByFlags.set(key, entry);
      }
    }
  }
  const terms: string[] = [];
  const unfiltered = tcpByFlags.get('0/0')?.ports ?? new Set<number>();
  for (const key of [...tcpByFlags.keys()].sort()) {
    const { mask, value, ports } = tcpByFlags.get(key)!;
    const list = mask === 0 ? [...ports] : [...ports].filter((p) => !unfiltered.has(p));
    if (list.length === 0) continue;
    const dst = portsTerm('tcp', list.map((p) => ({ from: p, to: p })));
    terms.push(mask === 0 ? dst : `${paren(dst)} and ${paren(flagTest(mask, value, fam))}`);
  }
  if (udp.size > 0) terms.push(portsTerm('udp', [...udp].map((p) => ({ from: p, to: p }))));
  terms.push(...new Set(derived));
  if (icmp) {
    const echo: string[] = [];
    if (fam.v4) echo.push('icmp[icmptype] == icmp-echo');
    if (fam.v6) echo.push('icmp6[icmp6type] == icmp6-echo');
    terms.push(echo.join(' or '));
  }
  return terms;
}

/** Decoy hits: TCP without ACK (connection attempts and scan probes) and UDP, to decoy ports. */
function decoyTerms(input: FilterInput, fam: Families): string[] {
  const d = input.decoys;
  if (d === 'none') return [];
  const noAck = flagTest(TCP_FLAG_BITS.ack, 0, fam);
  if (d !== 'all-unserved') {
    const terms: string[] = [];
    if (d.tcp.length > 0) terms.push(`${paren(portsTerm('tcp', d.tcp))} and ${paren(noAck)}`);
    if (d.udp.length > 0) terms.push(portsTerm('udp', d.udp));
    return terms;
  }
  // Every port that is neither a step nor served; the ports excluded here are few.
  const steps = input.doors.flatMap((door) => door.sequence);
  const tcpKeep = [...input.servedTcp, ...steps.filter((s) => s.proto === 'tcp').map((s) => s.port)];
  // SPA ports are never decoys (captured ones are knock terms, socket ones are read from their socket).
  const spaPorts = input.doors.flatMap((door) => (door.spa ? [door.spa.port] : []));
  const udpKeep = [...input.servedUdp, ...steps.filter((s) => s.proto === 'udp').map((s) => s.port), ...spaPorts];
  const udpRanges = udpKeep.map((p) => ({ from: p, to: p }));
  if (input.ephemeralUdp) udpRanges.push(input.ephemeralUdp);
  const tcp = tcpKeep.length > 0 ? `${paren(noAck)} and not ${paren(portsTerm('tcp', tcpKeep.map((p) => ({ from: p, to: p }))))}` : noAck;
  const udpTerm = udpRanges.length > 0 ? `udp and not ${paren(portsTerm('udp', udpRanges))}` : 'udp';
  return [tcp, udpTerm];
}

/** knockd's TCPFlags as one mask test; undefined if the rules contradict (`syn,!syn`), so nothing can match. */
export function flagMask(rules: readonly TcpFlagRule[]): { mask: number; value: number } | undefined {
  let mask = 0;
  let value = 0;
  for (const r of rules) {
    const bit = TCP_FLAG_BITS[r.flag];
    if ((mask & bit) !== 0 && ((value & bit) !== 0) !== r.set) return undefined;
    mask |= bit;
    if (r.set) value |= bit;
  }
  return { mask, value };
}

const PCAP_FLAG_NAMES: readonly [number, string][] = [
  [0x01, 'tcp-fin'], [0x02, 'tcp-syn'], [0x04, 'tcp-rst'], [0x08, 'tcp-push'], [0x10, 'tcp-ack'], [0x20, 'tcp-urg'],
];

function flagNames(bits: number): string {
  const names = PCAP_FLAG_NAMES.filter(([b]) => (bits & b) !== 0).map(([, n]) => n);
  return names.length === 1 ? names[0]! : `(${names.join('|')})`;
}

/** `flags & mask == value` for IPv4 and, where captured, for IPv6 with TCP right after the fixed header. */
function flagTest(mask: number, value: number, fam: Families): string {
  const m = flagNames(mask);
  const cmp = value === 0 ? '== 0' : value === mask && mask !== 0 && (mask & (mask - 1)) === 0 ? '!= 0' : `== ${flagNames(value)}`;
  const tests: string[] = [];
  if (fam.v4) tests.push(`tcp[tcpflags] & ${m} ${cmp}`);
  if (fam.v6) tests.push(`(ip6[6] == 6 and ip6[53] & ${m} ${cmp})`);
  return tests.join(' or ');
}

/** `tcp dst port 7000 or 8000 or tcp dst portrange 9000-9100`, ports deduplicated and runs merged. */
function portsTerm(proto: 'tcp' | 'udp', ranges: readonly PortRange[]): string {
  const merged = mergeRanges(ranges);
  const singles: number[] = [];
  const spans: PortRange[] = [];
  for (const r of merged) {
    if (r.to - r.from >= 2) spans.push(r);
    else for (let p = r.from; p <= r.to; p++) singles.push(p);
  }
  const terms: string[] = [];
  // A bare number after `or` inherits the previous qualifiers; a portrange does not, so it is spelled out.
  if (singles.length > 0) terms.push(`${proto} dst port ${singles.join(' or ')}`);
  for (const r of spans) terms.push(`${proto} dst portrange ${r.from}-${r.to}`);
  return terms.join(' or ');
}

function mergeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: { from: number; to: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

function paren(s: string): string {
  return `(${s})`;
}
