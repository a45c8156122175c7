// The firewalld backend's prepare-time zone checks (firewalld.ts). The zone
// drops what it does not open, so prepare installs nothing: it only checks
// that the zone's runtime configuration does not already accept a protected
// port from every source, which it can do in four ways, each read with its
// own stable firewall-cmd option:
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
import { FirewallError, type Service } from './backend.js';
import { bad, parsePortRange, sourcelessAccept, type PortRange } from './firewalld-rule.js';
import { failure, lastLine, TOOL } from './firewalld-cmd.js';
import type { ToolResult, ToolRunner } from './tool.js';

/** One way the zone already accepts protected ports from every source, and its fix. */
interface Finding {
  readonly opens: readonly Service[];
  readonly what: string;
  readonly fix: string;
}

/** What `--info-service` says a service accepts. */
interface ServiceInfo {
  readonly ports: readonly PortRange[];
  /** Whole protocols (`protocols: gre`); `tcp` here would accept every TCP port. */
  readonly protocols: readonly string[];
  /** Services whose ports this one includes too (firewalld 0.9 and later). */
  readonly includes: readonly string[];
}

/** Protocol numbers (/etc/protocols) for `protocol value="6"`. */
const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp' };

/** The checks of one zone (undefined: firewalld's default zone); the backend has validated its name. */
export class FirewalldZone {
  private readonly zoneArgs: readonly string[];

  constructor(private readonly runner: ToolRunner, private readonly zone: string | undefined) {
    this.zoneArgs = zone === undefined ? [] : [`--zone=${zone}`];
  }

  /** Throws FIREWALL_BAD_VALUE, naming every cause and its fix, if the zone already opens one of `wanted` to every source. */
  async check(wanted: readonly Service[]): Promise<void> {
    const findings = [
      ...await this.targetFindings(wanted),
      ...await this.portFindings(wanted),
      ...await this.serviceFindings(wanted),
      ...await this.richRuleFindings(wanted),
    ];
    if (findings.length > 0) throw this.opensToEveryone(wanted, findings);
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

  private run(args: readonly string[]): Promise<ToolResult> {
    return this.runner.run(TOOL, [...this.zoneArgs, ...args]);
  }
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
