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
//   - firewalld not running: "not running" (--state) or "FirewallD is not running", exit 252.
// It parses rules with its own small lexer and node:net, not the backend's code.
import { isIPv4, isIPv6 } from 'node:net';
import type { RecordedCall, ToolResult } from './tool.js';

const ALREADY_ENABLED = 11;
const NOT_ENABLED = 12;
const INVALID_ZONE = 112;
const INVALID_RULE = 122;
const NOT_RUNNING = 252;

interface Zone {
  readonly ports: Set<string>;
  /** Canonical rule text -> when its timer fires (undefined: no timeout). */
  readonly rules: Map<string, number | undefined>;
  /** Rules of the permanent configuration, restored by --reload. */
  readonly permanent: Set<string>;
}

export class FakeFirewallCmd {
  running = true;
  /** Exit 11/12 for ALREADY_ENABLED/NOT_ENABLED, as old firewalld did (firewalld#46). */
  legacyCodes = false;
  /** Print firewall-cmd's "operation over default zone" note when --zone is left out. */
  defaultZoneInactive = false;
  readonly defaultZone = 'public';
  private readonly zones = new Map<string, Zone>();

  constructor(private readonly now: () => number, zoneNames: readonly string[] = ['public', 'internal', 'trusted']) {
    for (const z of zoneNames) this.zones.set(z, { ports: new Set(), rules: new Map(), permanent: new Set() });
  }

  /** The administrator opened a port in a zone (`--add-port=22/tcp --permanent` + reload). */
  addPort(zone: string, port: string): void {
    this.zone(zone).ports.add(port);
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
    const name = opts.get('--zone') ?? this.defaultZone;
    const zone = this.zones.get(name);
    if (zone === undefined) return exit(INVALID_ZONE, '', `Error: INVALID_ZONE: ${name}`);
    const note = !opts.has('--zone') && this.defaultZoneInactive
      ? `You're performing an operation over default zone ('${name}'),\nbut your connections/interfaces are in zone 'internal' (see --get-active-zones)\nYou most likely need to use --zone=internal option.\n\n`
      : '';
    let seconds = 0;
    if (opts.has('--timeout')) {
      const t = /^([0-9]+)([smh]?)$/i.exec(opts.get('--timeout')!);
      if (t === null || !opts.has('--add-rich-rule')) return exit(2, '', 'usage: see firewall-cmd -h\nWrong --timeout usage');
      seconds = Number(t[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as Record<string, number>)[t[2]!.toLowerCase()]!;
    }
    if (opts.has('--query-port')) return exit(zone.ports.has(opts.get('--query-port')!) ? 0 : 1, `${note}${zone.ports.has(opts.get('--query-port')!) ? 'yes' : 'no'}`);
    if (opts.has('--list-rich-rules')) return exit(0, `${note}${[...zone.rules.keys()].join('\n')}`);
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
    return exit(0, `${note}success`);
  }

  private warning(code: number, message: string, note: string): ToolResult {
    const label = code === ALREADY_ENABLED ? 'ALREADY_ENABLED' : 'NOT_ENABLED';
    if (this.legacyCodes) return exit(code, note, `Error: ${label}: ${message}`);
    return exit(0, note, `Warning: ${label}: ${message}`);
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

/**
 * A rich rule in firewalld's printed form. Handles the subset Portcullis and
 * the tests use: family, source address, port or service, accept/drop/reject.
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
    const address = attr('address');
    const [ip, prefix] = address.split('/');
    const ok = family === 'ipv4' ? isIPv4(ip!) : family === 'ipv6' && isIPv6(ip!);
    if (!ok || (prefix !== undefined && !/^[0-9]{1,3}$/.test(prefix))) throw new Error(`invalid source address ${address} for family ${family ?? 'none'}`);
    parts.push(`source address="${address}"`);
  }
  if (tokens[0] === 'port') {
    tokens.shift();
    // An element's attributes come in any order (firewalld's lexer collects them).
    const a = tokens[0]?.startsWith('protocol=') ? { proto: attr('protocol'), port: attr('port') } : { port: attr('port'), proto: attr('protocol') };
    const { port, proto } = a;
    if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535 || !['tcp', 'udp'].includes(proto)) throw new Error(`bad port ${port}/${proto}`);
    parts.push(`port port="${port}" protocol="${proto}"`);
  } else if (tokens[0] === 'service') {
    tokens.shift();
    parts.push(`service name="${attr('name')}"`);
  }
  const action = tokens.shift();
  if (action !== 'accept' && action !== 'drop' && action !== 'reject') throw new Error(`expected an action, got ${action ?? 'the end'}`);
  parts.push(action);
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
