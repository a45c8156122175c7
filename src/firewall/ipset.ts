// The ipset backend: grants are members of two sets with kernel timeouts,
//
//   portcullis4  hash:ip,port family inet  timeout 0   (members 192.0.2.7,tcp:22 timeout N)
//   portcullis6  hash:ip,port family inet6 timeout 0
//
// and one iptables/ip6tables chain (PORTCULLIS_SET, jumped from INPUT at
// position 1) that lets them in before dropping the protected ports:
//
//   -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
//   -m set --match-set portcullis4 src,dst -j ACCEPT     (source address, destination proto:port)
//   <per protected port: -p P --dport PORT -j DROP>
//
// The kernel deletes a member when its timeout runs out (ipset(8), timeout),
// so a dead daemon leaves nothing open; `-exist` makes add refresh the
// timeout of a member that is there and del ignore one that is not. Opening
// or closing any number of entries is one `ipset restore` run. No gateway
// forwarding: use the iptables backend for that.
import { FirewallError, entryKeyText, secondsLeft, type Entry, type EntryKey, type FirewallBackend, type InstalledEntry, type Layout } from './backend.js';
import { describeFailure, type ToolResult, type ToolRunner } from './tool.js';
import { Xtables, type OwnChain } from './iptables-chain.js';
import { badValue, literalChain, literalKey, literalSetBase, type Family } from './iptables-literals.js';
import { ESTABLISHED, jumpArgs, protectedDrop, tokenize } from './iptables-spec.js';
import { formatAddress, parseAddress } from '../config/address.js';
import type { BanStore } from '../bans/kernel-queue.js';
import { ipsetBanCreate, ipsetBanLines, ipsetBanRules, ipsetBanSets, parseIpsetBans } from './ipset-bans.js';

export interface IpsetOptions {
  readonly runner: ToolRunner;
  /** Sets are NAME4 and NAME6. Default portcullis. */
  readonly setName?: string;
  /** The iptables chain that matches the sets. Default PORTCULLIS_SET (the iptables backend's is PORTCULLIS). */
  readonly chain?: string;
}

const FAMILIES: readonly Family[] = [4, 6];
/** A timeout far beyond any grant but inside ipset's limit (2^31/1000 seconds on current kernels). */
const MAX_TIMEOUT = 2_000_000;

export class IpsetBackend implements FirewallBackend, BanStore {
  readonly name = 'ipset' as const;
  readonly kernelExpiry = true;
  private readonly runner: ToolRunner;
  private readonly sets: Record<Family, string>;
  /** Kernel bans (ipset-bans.ts): dropped on the guarded ports before the grants. */
  private readonly banSets: Record<Family, string>;
  private readonly own: OwnChain;
  private readonly xt: Record<Family, Xtables>;

  constructor(options: IpsetOptions) {
    this.runner = options.runner;
    const base = literalSetBase(options.setName ?? 'portcullis');
    this.sets = { 4: `${base}4`, 6: `${base}6` };
    this.banSets = ipsetBanSets(base);
    this.own = { table: 'filter', from: 'INPUT', chain: literalChain(options.chain ?? 'PORTCULLIS_SET') };
    this.xt = { 4: new Xtables(options.runner, 4), 6: new Xtables(options.runner, 6) };
  }

  async prepare(layout: Layout): Promise<void> {
    if (layout.forwarded.length > 0) throw badValue('the ipset backend does not forward to inside hosts; use the iptables backend for a gateway');
    const drops = layout.protected.map(protectedDrop);
    // Sets before the rules that name them; -exist keeps a set that is there, members and all.
    await this.ipset('create sets', [...FAMILIES.map((f) => `create ${this.sets[f]} hash:ip,port family ${f === 4 ? 'inet' : 'inet6'} timeout 0`), ...ipsetBanCreate(this.banSets)]);
    const c = this.own;
    await Promise.all(FAMILIES.map(async (f) => {
      const x = this.xt[f];
      const lines = [
        `:${c.chain} - [0:0]`, // creates the chain, or flushes it (iptables-restore(8) --noflush)
        `-A ${c.chain} ${ESTABLISHED}`,
        ...ipsetBanRules(this.banSets[f], layout).map((r) => `-A ${c.chain} ${r}`),
        `-A ${c.chain} -m set --match-set ${this.sets[f]} src,dst -j ACCEPT`,
        ...drops.map((d) => `-A ${c.chain} ${d}`),
      ];
      if (!(await x.hasJump(c))) lines.push(`-I ${c.from} 1 ${jumpArgs(c.chain).join(' ')}`);
      await x.restore(new Map([['filter', lines]]));
    }));
  }

  async open(entries: readonly Entry[], now: number): Promise<void> {
    const lines = entries.map((e) => {
      const timeout = secondsLeft(e.expiresAt, now);
      if (!Number.isFinite(timeout) || timeout > MAX_TIMEOUT) throw badValue(`timeout must be 1..${MAX_TIMEOUT} seconds, not ${timeout}`);
      return `add ${this.member(e)} timeout ${timeout}`;
    });
    await this.ipset('add entries', lines);
  }

  async close(entries: readonly EntryKey[]): Promise<void> {
    await this.ipset('delete entries', entries.map((e) => `del ${this.member(e)}`));
  }

  async list(now: number): Promise<InstalledEntry[]> {
    const saved = await Promise.all(FAMILIES.map(async (f) => {
      const r = await this.runner.run('ipset', ['save', this.sets[f]]);
      if (ok(r)) return parseIpsetSave(r.stdout, this.sets[f], f, now);
      if ((await this.setNames()).includes(this.sets[f])) throw failed(`cannot list set ${this.sets[f]}`, r);
      return []; // not prepared yet: no entries
    }));
    return saved.flat();
  }

  async remove(): Promise<void> {
    // Rules first: ipset refuses to destroy a set that a rule still references.
    await Promise.all(FAMILIES.map((f) => this.xt[f].removeChains([this.own])));
    const names = await this.setNames();
    await this.ipset('destroy sets', [...FAMILIES.map((f) => this.sets[f]), ...FAMILIES.map((f) => this.banSets[f])].filter((s) => names.includes(s)).map((s) => `destroy ${s}`));
  }

  /** Kernel bans (src/bans/kernel-queue.ts): one `ipset restore -exist` run. */
  async applyBans(add: readonly { readonly address: string; readonly seconds: number }[], remove: readonly string[] | 'all'): Promise<void> {
    await this.ipset('update the ban sets', ipsetBanLines(this.banSets, add, remove));
  }

  async listBans(now: number): Promise<{ address: string; until: number }[]> {
    const saved = await Promise.all(FAMILIES.map(async (f) => {
      const r = await this.runner.run('ipset', ['save', this.banSets[f]]);
      if (ok(r)) return parseIpsetBans(r.stdout, this.banSets[f], now);
      if ((await this.setNames()).includes(this.banSets[f])) throw failed(`cannot list set ${this.banSets[f]}`, r);
      return [];
    }));
    return saved.flat();
  }

  async dispose(): Promise<void> {}

  /** `SET ADDR,PROTO:PORT` from a checked key. */
  private member(e: EntryKey): string {
    const key = literalKey(e);
    if (key.forward) throw badValue(`the ipset backend does not forward (entry ${entryKeyText(key)})`);
    return `${this.sets[key.family]} ${key.address},${key.service.proto}:${key.service.port}`;
  }

  /** One `ipset restore -exist` run for all lines (none: no run). */
  private async ipset(what: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const r = await this.runner.run('ipset', ['restore', '-exist'], `${lines.join('\n')}\n`);
    if (!ok(r)) throw failed(`cannot ${what}`, r);
  }

  private async setNames(): Promise<string[]> {
    const r = await this.runner.run('ipset', ['list', '-n']);
    if (!ok(r)) throw failed('cannot list sets', r);
    return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }
}

/**
 * Members of `set` from `ipset save SET` (`add SET 10.1.2.3,tcp:22 timeout 59`).
 * The timeout printed is what remains; 0 means the member never expires.
 */
export function parseIpsetSave(text: string, set: string, family: Family, now: number): InstalledEntry[] {
  const out: InstalledEntry[] = [];
  for (const line of text.split('\n')) {
    const t = tokenize(line);
    if (t[0] !== 'add' || t[1] !== set || t[2] === undefined) continue;
    const m = /^(.+),(tcp|udp):(\d{1,5})$/.exec(t[2]);
    const parsed = m ? parseAddress(m[1]!) : undefined;
    const port = m ? Number(m[3]) : 0;
    if (!m || !parsed || parsed.family !== family || port < 1 || port > 65535) continue;
    const at = t.indexOf('timeout', 3);
    const remaining = at > 0 && /^\d+$/.test(t[at + 1] ?? '') ? Number(t[at + 1]) : 0;
    const key = { address: formatAddress(parsed), family, service: { proto: m[2] as 'tcp' | 'udp', port } };
    out.push(remaining > 0 ? { ...key, expiresAt: now + remaining * 1000 } : key);
  }
  return out;
}

function ok(r: ToolResult): boolean {
  return r.code === 0 && r.error === undefined;
}

function failed(what: string, r: ToolResult): FirewallError {
  return new FirewallError('FIREWALL_TOOL_FAILED', `ipset: ${what}`, describeFailure('ipset', r));
}
