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
// checks (firewalld-zone.ts) that the zone does not already accept a protected
// port from every source. The rich rules themselves: firewalld-rule.ts.
import { FirewallError, secondsLeft, type Entry, type EntryKey, type FirewallBackend, type InstalledEntry, type Layout } from './backend.js';
import { failure, lastLine, NOT_ENABLED, TOOL } from './firewalld-cmd.js';
import { bad, literalService, noForwarding, parseRule, richRule } from './firewalld-rule.js';
import { FirewalldZone } from './firewalld-zone.js';
import { describeFailure, type ToolResult, type ToolRunner } from './tool.js';

export { parseRule, richRule, sourcelessAccept, type SourcelessAccept } from './firewalld-rule.js';

export interface FirewalldOptions {
  readonly runner: ToolRunner;
  /** The zone the rules go to; default: firewalld's default zone. */
  readonly zone?: string;
}

/** firewalld zone names: at most 17 characters (they become chain names). */
const ZONE = /^[A-Za-z0-9_-]{1,17}$/;
/** D-Bus addRichRule takes the timeout as an int32 (signature `ssi`). */
const MAX_TIMEOUT = 2 ** 31 - 1;

export class FirewalldBackend implements FirewallBackend {
  readonly name = 'firewalld' as const;
  readonly kernelExpiry = true;
  private readonly runner: ToolRunner;
  private readonly zoneArgs: readonly string[];
  private readonly zoneCheck: FirewalldZone;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: FirewalldOptions) {
    this.runner = options.runner;
    if (options.zone !== undefined && (typeof options.zone !== 'string' || !ZONE.test(options.zone))) {
      throw bad(`firewalld zone must be 1 to 17 letters, digits, _ or -, not ${JSON.stringify(options.zone)}`);
    }
    this.zoneArgs = options.zone === undefined ? [] : [`--zone=${options.zone}`];
    this.zoneCheck = new FirewalldZone(this.runner, options.zone);
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
      await this.zoneCheck.check(wanted);
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

function timeout(expiresAt: number, now: number): number {
  const s = secondsLeft(expiresAt, now);
  if (!Number.isInteger(s) || s > MAX_TIMEOUT) throw bad(`timeout must be 1..${MAX_TIMEOUT} seconds, not ${s}`);
  return s;
}
