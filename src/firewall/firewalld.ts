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
// checks that the zone does not already open a protected port to everyone.
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
      const state = await this.runner.run(TOOL, ['--state']);
      if (state.error !== undefined) throw new FirewallError('FIREWALL_UNAVAILABLE', 'cannot run firewall-cmd', state.error);
      if (state.code !== 0 || lastLine(state.stdout) !== 'running') {
        throw new FirewallError('FIREWALL_UNAVAILABLE', 'firewalld is not running', describeFailure(TOOL, state));
      }
      const open: string[] = [];
      for (const s of layout.protected) {
        const port = `${literalService(s).port}/${s.proto}`;
        // --query-port answers yes (0) or no (1); anything else is an error (a bad zone, say).
        const r = await this.runner.run(TOOL, [...this.zoneArgs, `--query-port=${port}`]);
        if (r.error === undefined && r.code === 0 && lastLine(r.stdout) === 'yes') open.push(port);
        else if (r.error !== undefined || r.code !== 1) throw failure(`cannot ask firewalld about port ${port}`, r);
      }
      if (open.length > 0) {
        const zone = this.zone === undefined ? 'the default firewalld zone' : `firewalld zone ${this.zone}`;
        const fix = ['firewall-cmd', ...this.zoneArgs, `--remove-port=${open[0]}`].join(' ');
        throw bad(`${zone} already opens ${open.join(', ')} to every source, so knocking would protect nothing; ` +
          `remove ${open.length > 1 ? 'them' : 'it'} from the zone (${fix}, and again with --permanent) or choose another zone`);
      }
    });
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
