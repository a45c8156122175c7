// The firewalld backend: each entry is one rich rule in the runtime
// configuration of a zone, added with a timeout (firewall-cmd(1),
// firewalld.richlanguage(5)):
//
//   firewall-cmd [--zone=Z] --add-rich-rule='rule family="ipv4" source address="192.0.2.7" port port="22" protocol="tcp" accept' --timeout=60
//
// (the rule is one argv element; no shell ever sees it). firewalld removes a
// timed rule itself, so `kernelExpiry` is true, but the timer is firewalld's
// own, not the kernel's: a grant outlives a dead Portcullis, yet a firewalld
// restart or `--reload` drops it (timed rules are runtime-only) until
// Portcullis opens it again (a reconcile, or a new knock).
//
// The zone drops what it does not open, so prepare installs nothing: it only
// checks that the zone's runtime configuration does not already accept a
// protected port from every source, which it can do in four ways, each read
// with its own stable firewall-cmd option:
//   - the zone's target is ACCEPT (`trusted`): read from `--list-all`'s
//     `target:` line, because `--get-target` works only with --permanent (in
//     every firewall-cmd so far: firewall-cmd(1), "Option can be used only
//     with --permanent"), and the permanent target is not the runtime one until
//     a reload;
//   - the port is added to the zone: `--query-port=P/proto` (port ranges included);
//   - a service of the zone opens it (`public` has `ssh`, 22/tcp):
//     `--list-services`, then `--info-service=NAME` for each service and the
//     services it includes (runtime definitions; `--service=NAME --get-ports`
//     is permanent-only, and `--info-service` refuses --zone);
//   - a rich rule accepts it with no source, or `source NOT` (`--list-rich-rules`).
// Each finding names the cause and the exact command that fixes it.
import { formatAddress, parseAddress } from '../config/address.js';
import { FirewallError, secondsLeft, type Entry, type EntryKey, type FirewallBackend, type InstalledEntry, type Layout, type Service } from './backend.js';
import { describeFailure, type ToolResult, type ToolRunner } from './tool.js';

export interface FirewalldOptions {
  readonly runner: ToolRunner;
  /** The zone the rules go to; default: firewalld's default zone. */
  readonly zone?: string;
}

const TOOL = 'firewall-cmd';
/** firewalld zone names: at most 17 characters (they become chain names). */
const ZONE = /^[A-Za-z0-9_-]{1,17}$/;
/** D-Bus addRichRule takes the timeout as an int32 (signature `ssi`). */
const MAX_TIMEOUT = 2 ** 31 - 1;
/** firewall-cmd(1) EXIT CODES. */
const NOT_ENABLED = 12;
const NOT_RUNNING = 252;
/** A rule of exactly the shape rule() writes; firewalld lists rules in this canonical order. */
const OURS = /^rule family="ipv([46])" source address="([0-9A-Fa-f:.]+)" port port="([1-9][0-9]{0,4})" protocol="(tcp|udp)" accept$/;

/** One way the zone already accepts protected ports from every source, and its fix. */
interface Finding {
  readonly opens: readonly Service[];
  readonly what: string;
  readonly fix: string;
}

/** A port or port range of a protocol, as firewalld writes them (`22/tcp`, `60000-61000/udp`). */
interface PortRange {
  readonly from: number;
  readonly to: number;
  readonly proto: string;
}

/** What `--info-service` says a service accepts. */
interface ServiceInfo {
  readonly ports: readonly PortRange[];
  /** Whole protocols (`protocols: gre`); `tcp` here would accept every TCP port. */
  readonly protocols: readonly string[];
  /** Services whose ports this one includes too (firewalld 0.9 and later). */
  readonly includes: readonly string[];
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
/** Protocol numbers (/etc/protocols) for `protocol value="6"`. */
const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp' };

export class FirewalldBackend implements FirewallBackend {
  readonly name = 'firewalld' as const;
  readonly kernelExpiry = true;
  private readonly runner: ToolRunner;
  private readonly zone: string | undefined;
  private readonly zoneArgs: readonly string[];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: FirewalldOptions) {
    this.runner = options.runner;
    if (options.zone !== undefined && (typeof options.zone !== 'string' || !ZONE.test(options.zone))) {
      throw bad(`firewalld zone must be 1 to 17 letters, digits, _ or -, not ${JSON.stringify(options.zone)}`);
    }
    this.zone = options.zone;
    this.zoneArgs = options.zone === undefined ? [] : [`--zone=${options.zone}`];
  }

  prepare(layout: Layout): Promise<void> {
    return this.serial(async () => {
      if (layout.forwarded.length > 0) throw noForwarding();
      const wanted = layout.protected.map(literalService);
      const state = await this.runner.run(TOOL, ['--state']);
      if (state.error !== undefined) throw new FirewallError('FIREWALL_UNAVAILABLE', 'cannot run firewall-cmd', state.error);
      if (state.code !== 0 || lastLine(state.stdout) !== 'running') {
        throw new FirewallError('FIREWALL_UNAVAILABLE', 'firewalld is not running', describeFailure(TOOL, state));
      }
      const findings = [
        ...await this.targetFindings(wanted),
        ...await this.portFindings(wanted),
        ...await this.serviceFindings(wanted),
        ...await this.richRuleFindings(wanted),
      ];
      if (findings.length > 0) throw this.opensToEveryone(wanted, findings);
    });
  }

  /** The zone target: ACCEPT accepts every port (the `trusted` zone). */
  private async targetFindings(wanted: readonly Service[]): Promise<Finding[]> {
    const r = await this.run(['--list-all']);
    if (r.code !== 0) throw failure(`cannot read ${this.zoneText()}`, r);
    const target = /^[ \t]*target:[ \t]*(\S*)[ \t]*$/m.exec(answer(r.stdout))?.[1];
    if (target === undefined || target === '') {
      throw new FirewallError('FIREWALL_TOOL_FAILED', `cannot read the target of ${this.zoneText()}: firewall-cmd --list-all printed no "target:" line`);
    }
    if (target !== 'ACCEPT') return [];
    return [{
      opens: wanted,
      what: 'its target is ACCEPT, which accepts every port',
      fix: `set it back with ${this.command(['--permanent', ...this.zoneArgs, '--set-target=default'])}, then firewall-cmd --reload`,
    }];
  }

  /** Ports added to the zone (--query-port answers yes (0) or no (1); anything else is an error, a bad zone say). */
  private async portFindings(wanted: readonly Service[]): Promise<Finding[]> {
    const open: Service[] = [];
    for (const s of wanted) {
      const r = await this.run([`--query-port=${portText(s)}`]);
      if (r.error === undefined && r.code === 0 && lastLine(r.stdout) === 'yes') open.push(s);
      else if (r.error !== undefined || r.code !== 1) throw failure(`cannot ask firewalld about port ${portText(s)}`, r);
    }
    if (open.length === 0) return [];
    return [{
      opens: open,
      what: `${open.length > 1 ? 'the ports' : 'the port'} ${list(open)} ${open.length > 1 ? 'are' : 'is'} added to it`,
      fix: this.removal(open.length, open.map((s) => `--remove-port=${portText(s)}`)),
    }];
  }

  /** The zone's services (`ssh` in `public`), each with the ports of the services it includes. */
  private async serviceFindings(wanted: readonly Service[]): Promise<Finding[]> {
    const r = await this.run(['--list-services']);
    if (r.code !== 0) throw failure(`cannot list the services of ${this.zoneText()}`, r);
    const names = answer(r.stdout).trim().split(/\s+/).filter((n) => n !== '');
    const found: { name: string; opens: Service[] }[] = [];
    const definitions = new Map<string, ServiceInfo>();
    for (const name of names) {
      const opens: Service[] = [];
      for (const s of wanted) if (await this.serviceOpens(name, s, definitions)) opens.push(s);
      if (opens.length > 0) found.push({ name, opens });
    }
    if (found.length === 0) return [];
    return [{
      opens: found.flatMap((f) => f.opens),
      what: found.map((f) => `its service ${f.name} opens ${list(f.opens)}`).join(', '),
      fix: this.removal(found.length, found.map((f) => `--remove-service=${shellWord(f.name)}`)),
    }];
  }

  /** The administrator's rich rules that accept a protected port from every source. */
  private async richRuleFindings(wanted: readonly Service[]): Promise<Finding[]> {
    const r = await this.run(['--list-rich-rules']);
    if (r.code !== 0) throw failure('cannot list the firewalld rich rules', r);
    const findings: Finding[] = [];
    const definitions = new Map<string, ServiceInfo>();
    for (const line of answer(r.stdout).split('\n')) {
      const rule = line.trim();
      const accept = sourcelessAccept(rule);
      if (accept === undefined) continue;
      const opens: Service[] = [];
      for (const s of wanted) {
        const e = accept.element;
        const hit = e.kind === 'any' ? true
          : e.kind === 'port' ? inRange(e.range, s)
          : e.kind === 'protocol' ? sameProtocol(e.value, s.proto)
          : await this.serviceOpens(e.name, s, definitions);
        if (hit) opens.push(s);
      }
      if (opens.length === 0) continue;
      const from = accept.source === 'not' ? ' from every source it does not exclude' : '';
      findings.push({
        opens,
        what: `its rich rule '${rule}' accepts ${list(opens)}${from}`,
        fix: this.removal(1, [`--remove-rich-rule=${shellQuote(rule)}`]),
      });
    }
    return findings;
  }

  /** Whether service `name` (or a service it includes) opens `s`, read from the runtime definitions. */
  private async serviceOpens(name: string, s: Service, definitions: Map<string, ServiceInfo>, seen = new Set<string>()): Promise<boolean> {
    if (seen.has(name)) return false;
    seen.add(name);
    let info = definitions.get(name);
    if (info === undefined) {
      // No --zone: firewall-cmd refuses it with --info-service (a service belongs to no zone).
      const r = await this.runner.run(TOOL, [`--info-service=${name}`]);
      if (r.error !== undefined || r.code !== 0) throw failure(`cannot read firewalld service ${name}`, r);
      info = parseServiceInfo(r.stdout);
      definitions.set(name, info);
    }
    if (info.ports.some((range) => inRange(range, s)) || info.protocols.some((p) => sameProtocol(p, s.proto))) return true;
    for (const included of info.includes) if (await this.serviceOpens(included, s, definitions, seen)) return true;
    return false;
  }

  private opensToEveryone(wanted: readonly Service[], findings: readonly Finding[]): FirewallError {
    const opened = wanted.filter((s) => findings.some((f) => f.opens.includes(s)));
    return bad(`${this.zoneText()} already opens ${list(opened)} to every source, so knocking would protect nothing: ` +
      `${findings.map((f) => `${f.what} (${f.fix})`).join('; ')}; or choose another zone (firewalld_zone in [options])`);
  }

  /** "remove it/them with firewall-cmd [--zone=Z] ARGS, and again with --permanent". */
  private removal(count: number, args: readonly string[]): string {
    return `remove ${count > 1 ? 'them' : 'it'} with ${this.command([...this.zoneArgs, ...args])}, and again with --permanent`;
  }

  private command(args: readonly string[]): string {
    return [TOOL, ...args].join(' ');
  }

  private zoneText(): string {
    return this.zone === undefined ? 'the default firewalld zone' : `firewalld zone ${this.zone}`;
  }

  async open(entries: readonly Entry[], now: number): Promise<void> {
    // Every value is checked before the first command runs: a bad entry changes nothing.
    const rules = entries.map((e) => ({ rule: richRule(e), seconds: timeout(e.expiresAt, now) }));
    await this.serial(async () => {
      for (const { rule, seconds } of rules) {
        // firewalld refuses a rule that exists (ALREADY_ENABLED) and keeps its old
        // timer, so remove it first (which cancels that timer), then add it afresh.
        await this.removeRule(rule);
        const r = await this.run([`--add-rich-rule=${rule}`, `--timeout=${seconds}`]);
        if (r.code !== 0 || /ALREADY_ENABLED/.test(r.stderr)) throw failure('cannot add the firewalld rich rule', r);
      }
    });
  }

  async close(entries: readonly EntryKey[]): Promise<void> {
    const rules = entries.map(richRule);
    await this.serial(async () => {
      for (const rule of rules) await this.removeRule(rule);
    });
  }

  list(_now: number): Promise<InstalledEntry[]> {
    return this.serial(() => this.listed());
  }

  remove(): Promise<void> {
    return this.serial(async () => {
      for (const e of await this.listed()) await this.removeRule(richRule(e));
    });
  }

  async dispose(): Promise<void> {
    // firewall-cmd runs once per call; nothing stays open.
  }

  /** Our rules in the zone; the administrator's rich rules are not ours and are skipped. */
  private async listed(): Promise<InstalledEntry[]> {
    const r = await this.run(['--list-rich-rules']);
    if (r.code !== 0) throw failure('cannot list the firewalld rich rules', r);
    // firewalld does not report a timed rule's time left, so expiresAt stays unknown.
    return r.stdout.split('\n').flatMap((line) => {
      const key = parseRule(line.trim());
      return key === undefined ? [] : [key];
    });
  }

  /** Removes one rule; a missing rule is success (NOT_ENABLED: a warning and exit 0, or exit 12 on old firewalld, firewalld#46). */
  private async removeRule(rule: string): Promise<void> {
    const r = await this.run([`--remove-rich-rule=${rule}`]);
    if (r.code !== 0 && r.code !== NOT_ENABLED) throw failure('cannot remove the firewalld rich rule', r);
  }

  private run(args: readonly string[]): Promise<ToolResult> {
    return this.runner.run(TOOL, [...this.zoneArgs, ...args]);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

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

function literalService(s: Service): Service {
  if (s.proto !== 'tcp' && s.proto !== 'udp') throw bad(`protocol must be tcp or udp, not ${JSON.stringify(s.proto)}`);
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) throw bad(`port must be 1..65535, not ${JSON.stringify(s.port)}`);
  return s;
}

function timeout(expiresAt: number, now: number): number {
  const s = secondsLeft(expiresAt, now);
  if (!Number.isInteger(s) || s > MAX_TIMEOUT) throw bad(`timeout must be 1..${MAX_TIMEOUT} seconds, not ${s}`);
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

/** `--info-service` output: the service name, then `  ports: 22/tcp`, `  protocols: …`, `  includes: …` lines. */
function parseServiceInfo(text: string): ServiceInfo {
  const field = (name: string): string[] => {
    const m = new RegExp(`^[ \\t]+${name}:(.*)$`, 'm').exec(text);
    return m === null ? [] : m[1]!.trim().split(/\s+/).filter((w) => w !== '');
  };
  return {
    ports: field('ports').flatMap((p) => parsePortRange(p) ?? []),
    protocols: field('protocols'),
    includes: field('includes'),
  };
}

function parsePortRange(text: string): PortRange | undefined {
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?\/([a-z]+)$/.exec(text);
  if (m === null) return undefined;
  const from = Number(m[1]);
  return { from, to: m[2] === undefined ? from : Number(m[2]), proto: m[3]! };
}

function inRange(range: PortRange, s: Service): boolean {
  return range.proto === s.proto && range.from <= s.port && s.port <= range.to;
}

function sameProtocol(value: string, proto: Service['proto']): boolean {
  const name = value.toLowerCase();
  return (PROTOCOL_NUMBERS[name] ?? name) === proto;
}

function portText(s: Service): string {
  return `${s.port}/${s.proto}`;
}

function list(services: readonly Service[]): string {
  return services.map(portText).join(', ');
}

/**
 * What firewall-cmd answered, without the note it prints first when --zone is
 * left out and the default zone is not the active one ("You're performing an
 * operation over default zone …", then a blank line). Answers have no blank lines.
 */
function answer(stdout: string): string {
  const i = stdout.lastIndexOf('\n\n');
  return i < 0 ? stdout : stdout.slice(i + 2);
}

/** A word as a POSIX shell reads it back: as is when plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,.\/-]+$/.test(word) ? word : shellQuote(word);
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function lastLine(text: string): string {
  // Without --zone, firewall-cmd may print a note about the default zone first.
  return text.trim().split('\n').pop()!.trim();
}

function failure(what: string, r: ToolResult): FirewallError {
  if (r.code === NOT_RUNNING) return new FirewallError('FIREWALL_UNAVAILABLE', `${what}: firewalld is not running`, describeFailure(TOOL, r));
  return new FirewallError('FIREWALL_TOOL_FAILED', what, describeFailure(TOOL, r));
}

function noForwarding(): FirewallError {
  return bad('gateway forwarding needs the nftables or iptables backend');
}

function bad(message: string): FirewallError {
  return new FirewallError('FIREWALL_BAD_VALUE', message);
}
