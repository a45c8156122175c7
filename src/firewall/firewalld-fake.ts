// Test double: an in-memory firewall-cmd for the firewalld backend's unit
// tests (firewalld itself needs D-Bus and systemd, which the test namespaces
// do not have). It answers the argv the backend sends as firewall-cmd does,
// after firewalld's own source (src/firewall/command.py, errors.py,
// core/rich.py, firewall-cmd.in):
//   - a single --add-rich-rule of a rule that exists: "Warning: ALREADY_ENABLED" and
//     exit 0, the old timer kept; --remove-rich-rule of a missing one: "Warning:
//     NOT_ENABLED" and exit 0 (`legacyCodes`: exit 11 / 12, as old firewalld did, firewalld#46);
//   - rules are kept as firewalld prints them (str(Rich_Rule): family, source,
//     element, action) and a timed rule goes at its timeout (a virtual clock);
//     removing a rule cancels its timer (removeTimeout); --reload drops runtime rules;
//   - firewalld not running: "not running" (--state) or "FirewallD is not running", exit 252;
//   - the zones and services firewalld ships (config/zones, config/services):
//     `public`, the default zone, has the services ssh (22/tcp) and
//     dhcpv6-client; `trusted` has target ACCEPT; `--list-all` prints the
//     runtime zone as print_zone_info does (`  target: default`, …),
//     `--info-service` a runtime service as print_service_info does, refused
//     with --zone; `--get-target` only with --permanent ("Option can be used
//     only with --permanent", exit 2).
// It parses rules with its own small lexer and node:net, not the backend's code.
import { isIPv4, isIPv6 } from 'node:net';
import type { RecordedCall, ToolResult } from './tool.js';

const ALREADY_ENABLED = 11;
const NOT_ENABLED = 12;
const INVALID_SERVICE = 101;
const INVALID_ZONE = 112;
const INVALID_RULE = 122;
const NOT_RUNNING = 252;
const USAGE = 'usage: see firewall-cmd -h';

interface Zone {
  readonly ports: Set<string>;
  /** In the order they were added, as --list-services prints them. */
  readonly services: Set<string>;
  /** As the runtime keeps it: default, ACCEPT, DROP or %%REJECT%%. */
  target: string;
  /** Canonical rule text -> when its timer fires (undefined: no timeout). */
  readonly rules: Map<string, number | undefined>;
  /** Rules of the permanent configuration, restored by --reload. */
  readonly permanent: Set<string>;
}

export interface FakeService {
  readonly ports?: readonly string[];
  readonly protocols?: readonly string[];
  readonly modules?: readonly string[];
  readonly destination?: Readonly<Record<string, string>>;
  readonly includes?: readonly string[];
}

/** firewalld's shipped zones (config/zones/*.xml) that the tests use. */
const SHIPPED_ZONES: Readonly<Record<string, { services: readonly string[]; target: string }>> = {
  public: { services: ['ssh', 'dhcpv6-client'], target: 'default' },
  internal: { services: ['ssh', 'ipp-client', 'mdns', 'samba-client', 'dhcpv6-client'], target: 'default' },
  trusted: { services: [], target: 'ACCEPT' },
  drop: { services: [], target: 'DROP' },
  block: { services: [], target: '%%REJECT%%' },
};

/** firewalld's shipped services (config/services/*.xml) that those zones use, plus openvpn. */
const SHIPPED_SERVICES: Readonly<Record<string, FakeService>> = {
  ssh: { ports: ['22/tcp'] },
  'dhcpv6-client': { ports: ['546/udp'], destination: { ipv6: 'fe80::/64' } },
  'ipp-client': { ports: ['631/udp'] },
  mdns: { ports: ['5353/udp'], destination: { ipv4: '224.0.0.251', ipv6: 'ff02::fb' } },
  'samba-client': { ports: ['137/udp', '138/udp'], modules: ['netbios-ns'] },
  openvpn: { ports: ['1194/udp'] },
};

export class FakeFirewallCmd {
  running = true;
  /** Exit 11/12 for ALREADY_ENABLED/NOT_ENABLED, as old firewalld did (firewalld#46). */
  legacyCodes = false;
  /** Print firewall-cmd's "operation over default zone" note when --zone is left out. */
  defaultZoneInactive = false;
  readonly defaultZone = 'public';
  private readonly zones = new Map<string, Zone>();
  private readonly services = new Map<string, FakeService>(Object.entries(SHIPPED_SERVICES));

  constructor(private readonly now: () => number) {
    for (const [name, z] of Object.entries(SHIPPED_ZONES)) {
      this.zones.set(name, { ports: new Set(), services: new Set(z.services), target: z.target, rules: new Map(), permanent: new Set() });
    }
  }

  /** The administrator made an empty zone (`--permanent --new-zone=NAME` + reload): target default, nothing open. */
  addZone(name: string): void {
    this.zones.set(name, { ports: new Set(), services: new Set(), target: 'default', rules: new Map(), permanent: new Set() });
  }

  /** The administrator opened a port in a zone (`--add-port=22/tcp --permanent` + reload). */
  addPort(zone: string, port: string): void {
    this.zone(zone).ports.add(port);
  }

  /** `--add-service=NAME` (and again with --permanent). */
  addService(zone: string, name: string): void {
    if (!this.services.has(name)) throw new Error(`fake firewalld has no service ${name}`);
    this.zone(zone).services.add(name);
  }

  /** `--remove-service=NAME` (and again with --permanent): what a Portcullis user does to ssh in `public`. */
  removeService(zone: string, name: string): void {
    this.zone(zone).services.delete(name);
  }

  /** The administrator's own service (`--permanent --new-service=NAME`, its ports and includes, + reload). */
  defineService(name: string, service: FakeService): void {
    this.services.set(name, service);
  }

  /** `--permanent --set-target=TARGET` + reload (REJECT is kept as %%REJECT%%, as firewalld does). */
  setTarget(zone: string, target: 'default' | 'ACCEPT' | 'DROP' | 'REJECT'): void {
    this.zone(zone).target = target === 'REJECT' ? '%%REJECT%%' : target;
  }

  /** The administrator's own (permanent) rich rule. */
  addAdminRule(zone: string, rule: string): void {
    const text = canonical(rule);
    this.zone(zone).rules.set(text, undefined);
    this.zone(zone).permanent.add(text);
  }

  /** The rules of a zone now, with when each one's timer fires. */
  rules(zone = this.defaultZone): { rule: string; expiresAt: number | undefined }[] {
    this.expire();
    return [...this.zone(zone).rules].map(([rule, expiresAt]) => ({ rule, expiresAt }));
  }

  /** `firewall-cmd --reload` or a firewalld restart: the runtime configuration is rebuilt from the permanent one. */
  reload(): void {
    for (const z of this.zones.values()) {
      for (const r of z.rules.keys()) if (!z.permanent.has(r)) z.rules.delete(r);
    }
  }

  /** The answer to one run of `file args`, for RecordingToolRunner.respond. */
  run(call: RecordedCall): ToolResult {
    if (call.file !== 'firewall-cmd') return { code: null, stdout: '', stderr: '', error: `cannot run ${call.file}: spawn ${call.file} ENOENT` };
    this.expire();
    const opts = new Map<string, string>();
    for (const a of call.args) {
      const m = /^(--[a-z-]+)(?:=([\s\S]*))?$/.exec(a);
      if (m === null || opts.has(m[1]!)) return exit(2, '', `usage: see firewall-cmd -h\nfirewall-cmd: error: unrecognized arguments: ${a}`);
      opts.set(m[1]!, m[2] ?? '');
    }
    if (!this.running) return exit(NOT_RUNNING, '', opts.has('--state') ? 'not running' : 'FirewallD is not running');
    if (opts.has('--state')) return exit(0, 'running');
    if (opts.has('--info-service')) {
      // A config query, not a zone operation: firewall-cmd refuses --zone with it.
      if (opts.has('--zone')) return exit(2, '', `${USAGE}\nWrong usage of --get-zones | --get-services | --get-icmptypes.`);
      const name = opts.get('--info-service')!;
      const service = this.services.get(name);
      if (service === undefined) return exit(INVALID_SERVICE, '', `Error: INVALID_SERVICE: ${name}`);
      return exit(0, serviceInfo(name, service));
    }
    if (opts.has('--get-target') && !opts.has('--permanent')) return exit(2, '', `${USAGE}\nOption can be used only with --permanent.`);
    const name = opts.get('--zone') ?? this.defaultZone;
    const zone = this.zones.get(name);
    if (zone === undefined) return exit(INVALID_ZONE, '', `Error: INVALID_ZONE: ${name}`);
    const active = this.defaultZoneInactive ? 'internal' : this.defaultZone;
    const note = !opts.has('--zone') && this.defaultZoneInactive
      ? `You're performing an operation over default zone ('${name}'),\nbut your connections/interfaces are in zone '${active}' (see --get-active-zones)\nYou most likely need to use --zone=${active} option.\n`
      : '';
    if (opts.has('--get-target')) return reply(0, note, zone.target === '%%REJECT%%' ? 'REJECT' : zone.target);
    if (opts.has('--list-all')) return reply(0, note, this.zoneInfo(name, zone, active));
    if (opts.has('--list-services')) return reply(0, note, [...zone.services].join(' '));
    let seconds = 0;
    if (opts.has('--timeout')) {
      const t = /^([0-9]+)([smh]?)$/i.exec(opts.get('--timeout')!);
      if (t === null || !opts.has('--add-rich-rule')) return exit(2, '', 'usage: see firewall-cmd -h\nWrong --timeout usage');
      seconds = Number(t[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as Record<string, number>)[t[2]!.toLowerCase()]!;
    }
    if (opts.has('--query-port')) {
      const yes = zone.ports.has(opts.get('--query-port')!);
      return reply(yes ? 0 : 1, note, yes ? 'yes' : 'no');
    }
    if (opts.has('--list-rich-rules')) return reply(0, note, [...zone.rules.keys()].join('\n'));
    const add = opts.get('--add-rich-rule');
    const remove = opts.get('--remove-rich-rule');
    const rule = add ?? remove;
    if (rule === undefined) return exit(2, '', 'usage: see firewall-cmd -h\nNo option specified.');
    let text: string;
    try {
      text = canonical(rule);
    } catch (err) {
      return exit(INVALID_RULE, '', `Error: INVALID_RULE: ${(err as Error).message}`);
    }
    if (add !== undefined) {
      if (zone.rules.has(text)) return this.warning(ALREADY_ENABLED, `'${text}' already in '${name}'`, note);
      zone.rules.set(text, seconds > 0 ? this.now() + seconds * 1000 : undefined);
    } else {
      if (!zone.rules.has(text)) return this.warning(NOT_ENABLED, `'${text}' not in '${name}'`, note);
      zone.rules.delete(text); // and its timer with it
    }
    return reply(0, note, 'success');
  }

  private warning(code: number, message: string, note: string): ToolResult {
    const label = code === ALREADY_ENABLED ? 'ALREADY_ENABLED' : 'NOT_ENABLED';
    if (this.legacyCodes) return reply(code, note, '', `Error: ${label}: ${message}`);
    return reply(0, note, '', `Warning: ${label}: ${message}`);
  }

  /** `--list-all`, as firewall-cmd's print_zone_info prints a runtime zone (firewalld 1.x). */
  private zoneInfo(name: string, zone: Zone, active: string): string {
    const attributes = [name === this.defaultZone ? 'default' : '', name === active ? 'active' : ''].filter((a) => a !== '');
    const rules = [...zone.rules.keys()];
    return [
      attributes.length > 0 ? `${name} (${attributes.join(', ')})` : name,
      `  target: ${zone.target}`,
      '  ingress-priority: 0',
      '  egress-priority: 0',
      '  icmp-block-inversion: no',
      `  interfaces: ${name === active ? 'eth0' : ''}`,
      '  sources: ',
      `  services: ${[...zone.services].sort().join(' ')}`,
      `  ports: ${[...zone.ports].join(' ')}`,
      '  protocols: ',
      '  forward: yes',
      '  masquerade: no',
      '  forward-ports: ',
      '  source-ports: ',
      '  icmp-blocks: ',
      `  rich rules: ${rules.map((r) => `\n\t${r}`).join('')}`,
    ].join('\n');
  }

  private expire(): void {
    const now = this.now();
    for (const z of this.zones.values()) {
      for (const [r, at] of z.rules) if (at !== undefined && at <= now) z.rules.delete(r);
    }
  }

  private zone(name: string): Zone {
    const z = this.zones.get(name);
    if (z === undefined) throw new Error(`fake firewalld has no zone ${name}`);
    return z;
  }
}

function exit(code: number, stdout: string, stderr = ''): ToolResult {
  return { code, stdout: stdout === '' ? '' : `${stdout}\n`, stderr: stderr === '' ? '' : `${stderr}\n` };
}

/** The note (its own text ends in a newline, so a blank line follows it), then the answer; an empty answer prints nothing. */
function reply(code: number, note: string, answer: string, stderr = ''): ToolResult {
  const out = exit(code, answer, stderr);
  return { ...out, stdout: `${note === '' ? '' : `${note}\n`}${out.stdout}` };
}

/** `--info-service=NAME`, as firewall-cmd's print_service_info prints it. */
function serviceInfo(name: string, s: FakeService): string {
  return [
    name,
    `  ports: ${(s.ports ?? []).join(' ')}`,
    `  protocols: ${(s.protocols ?? []).join(' ')}`,
    '  source-ports: ',
    `  modules: ${(s.modules ?? []).join(' ')}`,
    `  destination: ${Object.entries(s.destination ?? {}).map(([k, v]) => `${k}:${v}`).join(' ')}`,
    `  includes: ${[...(s.includes ?? [])].sort().join(' ')}`,
    '  helpers: ',
  ].join('\n');
}

/**
 * A rich rule in firewalld's printed form. Handles the subset Portcullis and
 * the tests use: family, source [NOT] address or ipset, a port (or range),
 * service or protocol, log, accept/drop/reject with an optional limit.
 */
export function canonical(rule: string): string {
  const tokens = lex(rule);
  if (tokens.shift() !== 'rule') throw new Error('rule must start with "rule"');
  const attr = (name: string): string => {
    const t = tokens.shift();
    const m = t === undefined ? null : /^([a-z-]+)=(.+)$/.exec(t);
    if (m === null || m[1] !== name) throw new Error(`expected ${name}=..., got ${t ?? 'the end'}`);
    return m[2]!;
  };
  let family: string | undefined;
  if (tokens[0]?.startsWith('family=')) family = attr('family');
  if (family !== undefined && family !== 'ipv4' && family !== 'ipv6') throw new Error(`bad family ${family}`);
  const parts = [family === undefined ? 'rule' : `rule family="${family}"`];
  if (tokens[0] === 'source') {
    tokens.shift();
    // `source NOT address=…` (or `not`); firewalld prints NOT.
    const word: string | undefined = tokens[0];
    const not = word === 'NOT' || word === 'not' ? (tokens.shift(), ' NOT') : '';
    if (tokens[0]?.startsWith('ipset=')) {
      parts.push(`source${not} ipset="${attr('ipset')}"`);
    } else {
      const address = attr('address');
      const [ip, prefix] = address.split('/');
      const ok = family === 'ipv4' ? isIPv4(ip!) : family === 'ipv6' && isIPv6(ip!);
      if (!ok || (prefix !== undefined && !/^[0-9]{1,3}$/.test(prefix))) throw new Error(`invalid source address ${address} for family ${family ?? 'none'}`);
      parts.push(`source${not} address="${address}"`);
    }
  }
  if (tokens[0] === 'port') {
    tokens.shift();
    // An element's attributes come in any order (firewalld's lexer collects them).
    const a = tokens[0]?.startsWith('protocol=') ? { proto: attr('protocol'), port: attr('port') } : { port: attr('port'), proto: attr('protocol') };
    const { port, proto } = a;
    const ends = port.split('-');
    const bad = ends.length > 2 || ends.some((p) => !/^[0-9]{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535);
    if (bad || !['tcp', 'udp'].includes(proto)) throw new Error(`bad port ${port}/${proto}`);
    parts.push(`port port="${port}" protocol="${proto}"`);
  } else if (tokens[0] === 'service') {
    tokens.shift();
    parts.push(`service name="${attr('name')}"`);
  } else if (tokens[0] === 'protocol') {
    tokens.shift();
    parts.push(`protocol value="${attr('value')}"`);
  }
  if (tokens[0] === 'log') {
    tokens.shift();
    const log: Record<string, string> = {};
    while (tokens[0]?.startsWith('prefix=') || tokens[0]?.startsWith('level=')) {
      const key = tokens[0].split('=')[0]!;
      log[key] = attr(key);
    }
    parts.push(`log${log.prefix === undefined ? '' : ` prefix="${log.prefix}"`}${log.level === undefined ? '' : ` level="${log.level}"`}`);
  }
  const action = tokens.shift();
  if (action !== 'accept' && action !== 'drop' && action !== 'reject') throw new Error(`expected an action, got ${action ?? 'the end'}`);
  if (tokens[0] === 'limit') {
    tokens.shift();
    parts.push(`${action} limit value="${attr('value')}"`);
  } else {
    parts.push(action);
  }
  if (tokens.length > 0) throw new Error(`unexpected ${tokens.join(' ')}`);
  return parts.join(' ');
}

/** Splits on blanks outside double quotes and drops the quotes (firewalld's splitArgs, shlex-style). */
function lex(text: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let quoted = false;
  let any = false;
  for (const ch of text) {
    if (ch === '"') { quoted = !quoted; any = true; } else if (!quoted && /\s/.test(ch)) {
      if (any) tokens.push(cur);
      cur = '';
      any = false;
    } else { cur += ch; any = true; }
  }
  if (quoted) throw new Error('no closing quotation');
  if (any) tokens.push(cur);
  return tokens;
}
