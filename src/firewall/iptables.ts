// The iptables/ip6tables backend. Own chains, in both families:
//
//   filter PORTCULLIS       (jumped from INPUT, position 1)
//     -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
//     <grants: -s SRC -p P --dport PORT -m time --datestop … -m comment --comment "portcullis exp=E" -j ACCEPT>
//     <per protected port: -p P --dport PORT -j DROP>
//   filter PORTCULLIS-BANS  (kernel bans, iptables-bans.ts: jumped from PORTCULLIS and -FWD for the guarded ports)
//     <bans: -s SRC -m time --datestop … -m comment --comment "portcullis ban exp=E" -j DROP>
//   nat PORTCULLIS-DNAT     (jumped from PREROUTING, position 1; gateways only)
//     <forward grants: -s SRC -p P --dport PORT … -j DNAT --to-destination HOST:HPORT>
//   filter PORTCULLIS-FWD   (jumped from FORWARD, position 1; gateways only)
//     -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
//     <forward grants: -s SRC -d HOST -p P --dport HPORT -m conntrack --ctstate DNAT --ctorigdstport PORT … -j ACCEPT>
//     <per forwarded destination: -d HOST -p P --dport HPORT -j DROP>
//
// The time match makes the kernel stop a grant at its expiry even when the
// daemon is dead; the rule itself stays (list() reports it with its past
// expiresAt) until close() or a reconcile removes it. IPv6 DNAT works the
// same way through ip6tables' nat table (Linux >= 3.7).
//
// Every change is one `iptables-restore --noflush` run per family, read
// first with `-S CHAIN`: opening deletes the old rule by its exact spec and
// inserts the new one in the same commit, so an entry always ends with
// exactly one rule and is never missing in between.
import { entryKeyText, type Entry, type EntryKey, type FirewallBackend, type InstalledEntry, type Layout } from './backend.js';
import type { ToolRunner } from './tool.js';
import { Xtables, type OwnChain, type Table } from './iptables-chain.js';
import { badValue, expirySecond, literalAddress, literalChain, literalKey, type Family } from './iptables-literals.js';
import type { BanStore } from '../bans/kernel-queue.js';
import { banChainName, banForwardJumps, banJumps, banSpec, isBanJump, parseBan, planBans, IPTABLES_BAN_MAX, type BanRule } from './iptables-bans.js';
import { ESTABLISHED, forwardedDrop, grantRule, grantSpec, jumpArgs, parseGrant, protectedDrop, type GrantChain, type GrantRule } from './iptables-spec.js';

export interface IptablesOptions {
  readonly runner: ToolRunner;
  /** The filter chain for local services; the gateway chains are CHAIN-DNAT and CHAIN-FWD. Default PORTCULLIS. */
  readonly chain?: string;
  /** The clock for ban expiries (applyBans gets durations). Default Date.now. */
  readonly now?: () => number;
}

const FAMILIES: readonly Family[] = [4, 6];
const ALL: readonly GrantChain[] = ['input', 'fwd', 'dnat'];
/** Where a new grant goes: after the ESTABLISHED rule (and the input chain's ban jumps), before the drops. */
const INSERT_AT: Record<GrantChain, number> = { input: 2, fwd: 2, dnat: 1 };

interface Opening {
  readonly key: EntryKey;
  readonly exp: number;
}

interface ChainState {
  readonly rules: GrantRule[];
  readonly present: Set<GrantChain>;
  /** Jumps into the ban chain at the top of each chain (after ESTABLISHED). */
  readonly banJumps: Record<GrantChain, number>;
}

export class IptablesBackend implements FirewallBackend, BanStore {
  readonly name = 'iptables' as const;
  readonly kernelExpiry = true;
  private readonly own: Record<GrantChain, OwnChain>;
  private readonly xt: Record<Family, Xtables>;
  /** Kernel bans (iptables-bans.ts); `from` is where removeChains looks for a jump (the real ones are in the input chain). */
  private readonly bans: OwnChain;
  private readonly now: () => number;
  /** Whether the gateway chains are in use; known after prepare (before it, list() looks for them). */
  private gateway: boolean | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: IptablesOptions) {
    const chain = literalChain(options.chain ?? 'PORTCULLIS');
    this.own = {
      input: { table: 'filter', from: 'INPUT', chain },
      fwd: { table: 'filter', from: 'FORWARD', chain: literalChain(`${chain}-FWD`) },
      dnat: { table: 'nat', from: 'PREROUTING', chain: literalChain(`${chain}-DNAT`) },
    };
    this.xt = { 4: new Xtables(options.runner, 4), 6: new Xtables(options.runner, 6) };
    this.bans = { table: 'filter', from: 'INPUT', chain: banChainName(chain) };
    this.now = options.now ?? Date.now;
  }

  prepare(layout: Layout): Promise<void> {
    return this.serial(async () => {
      const drops = layout.protected.map(protectedDrop);
      const forwarded = layout.forwarded.map((f) => ({ family: literalAddress(f.forward.host).family, line: forwardedDrop(f, f.forward) }));
      // Gateway chains that are there stay managed, so their grants survive a layout without forwards.
      const states = await this.readAll(forwarded.length > 0 ? true : undefined);
      const jumps = banJumps(this.bans.chain, layout);
      const fwdJumps = banForwardJumps(this.bans.chain, layout);
      const now = this.now();
      const gateway = forwarded.length > 0 || states.some((s) => s.present.has('fwd'));
      const used = gateway ? ALL : (['input'] as const);
      await Promise.all(FAMILIES.map(async (family, i) => {
        const x = this.xt[family];
        const missing = (await Promise.all(used.map(async (k) => ((await x.hasJump(this.own[k])) ? [] : [k])))).flat();
        const bans = (await this.readBans(family)).filter((b) => b.exp * 1000 > now).slice(0, IPTABLES_BAN_MAX);
        const s = new Sections();
        // Chains first: a declaration creates the chain, or flushes it (iptables-restore(8) --noflush).
        // The ban chain goes first: the input chain jumps to it. Its live bans are put back.
        s.add('filter', `:${this.bans.chain} - [0:0]`);
        for (const b of bans) s.add('filter', `-A ${this.bans.chain} ${banSpec(b)}`);
        for (const kind of used) s.add(this.own[kind].table, `:${this.own[kind].chain} - [0:0]`);
        for (const kind of used) {
          const c = this.own[kind];
          if (kind !== 'dnat') s.add(c.table, `-A ${c.chain} ${ESTABLISHED}`);
          if (kind === 'input') for (const j of jumps) s.add(c.table, `-A ${c.chain} ${j}`);
          if (kind === 'fwd') for (const j of fwdJumps) if (j.family === family) s.add(c.table, `-A ${c.chain} ${j.line}`);
          for (const r of states[i]!.rules) if (r.chain === kind) s.add(c.table, `-A ${c.chain} ${grantSpec(r)}`);
        }
        for (const d of drops) s.add('filter', `-A ${this.own.input.chain} ${d}`);
        if (gateway) for (const d of forwarded) if (d.family === family) s.add('filter', `-A ${this.own.fwd.chain} ${d.line}`);
        for (const kind of missing) s.add(this.own[kind].table, `-I ${this.own[kind].from} 1 ${jumpArgs(this.own[kind].chain).join(' ')}`);
        await x.restore(s.byTable);
      }));
      this.gateway = gateway;
    });
  }

  open(entries: readonly Entry[], now: number): Promise<void> {
    return this.serial(async () => {
      const openings = new Map<string, Opening>();
      for (const e of entries) {
        const key = literalKey(e);
        openings.set(entryKeyText(key), { key, exp: expirySecond(e.expiresAt, now) });
      }
      if (this.gateway === false && [...openings.values()].some((o) => o.key.forward)) {
        throw badValue('a forward entry needs a gateway layout (prepare with layout.forwarded)');
      }
      await Promise.all(FAMILIES.map((f) => this.change(f, [...openings.values()].filter((o) => o.key.family === f), [])));
    });
  }

  close(entries: readonly EntryKey[]): Promise<void> {
    return this.serial(async () => {
      const keys = entries.map(literalKey);
      await Promise.all(FAMILIES.map((f) => this.change(f, [], keys.filter((k) => k.family === f))));
    });
  }

  list(_now: number): Promise<InstalledEntry[]> {
    return this.serial(async () => {
      const states = await this.readAll(this.gateway);
      const found = new Map<string, InstalledEntry>();
      for (const r of states.flatMap((s) => s.rules)) {
        const text = entryKeyText(r.key);
        const seen = found.get(text)?.expiresAt;
        found.set(text, { ...r.key, expiresAt: Math.min(seen ?? Infinity, r.exp * 1000) });
      }
      return [...found.values()];
    });
  }

  remove(): Promise<void> {
    return this.serial(async () => {
      // The ban chain last: its jumps go with the input chain's flush, in the same commit.
      await Promise.all(FAMILIES.map((f) => this.xt[f].removeChains([...ALL.map((k) => this.own[k]), this.bans])));
      this.gateway = undefined;
    });
  }

  /**
   * Kernel bans (src/bans/kernel-queue.ts): one restore per family. Bans past
   * IPTABLES_BAN_MAX are refused after the rest is applied (the error is the
   * queue's log line; the daemon still ignores those sources).
   */
  applyBans(add: readonly { readonly address: string; readonly seconds: number }[], remove: readonly string[] | 'all'): Promise<void> {
    return this.serial(async () => {
      const now = this.now();
      const refused = await Promise.all(FAMILIES.map(async (f) => {
        const plan = planBans(this.bans.chain, f, await this.readBans(f), add, remove, now);
        await this.xt[f].restore(new Map([['filter', plan.lines]]));
        return plan.refused;
      }));
      const n = refused[0]! + refused[1]!;
      if (n > 0) throw badValue(`the ban chain ${this.bans.chain} holds at most ${IPTABLES_BAN_MAX} bans per family; ${n} more kept by the daemon only`);
    });
  }

  listBans(now: number): Promise<{ address: string; until: number }[]> {
    return this.serial(async () => {
      const rules = (await Promise.all(FAMILIES.map((f) => this.readBans(f)))).flat();
      return rules.filter((r) => r.exp * 1000 > now).map((r) => ({ address: r.address, until: r.exp * 1000 }));
    });
  }

  async dispose(): Promise<void> {
    await this.queue;
  }

  /** The ban chain's rules; none when it is not there (not prepared yet). */
  private async readBans(family: Family): Promise<BanRule[]> {
    const lines = (await this.xt[family].rules('filter', this.bans.chain)) ?? [];
    return lines.flatMap((l) => parseBan(this.bans.chain, family, l) ?? []);
  }

  /**
   * One restore: deletes every rule of the openings and closings, then
   * inserts the openings' new rules. Deleting first matters with iptables-nft:
   * an `-I CHAIN 2` names the rule then at position 2, which may be one
   * inserted earlier in the batch, and deleting that one later in the same
   * batch (a refresh within the same second has the very same spec) makes the
   * commit fail with ENOENT.
   */
  private async change(family: Family, openings: readonly Opening[], closings: readonly EntryKey[]): Promise<void> {
    const keys = [...openings.map((o) => o.key), ...closings];
    if (keys.length === 0) return;
    const kinds = ALL.filter((k) => keys.some((key) => kindsOf(key).includes(k)));
    const state = await this.read(family, kinds);
    const s = new Sections();
    const named = new Set(keys.map(entryKeyText));
    for (const r of state.rules) {
      if (named.has(entryKeyText(r.key))) s.add(this.own[r.chain].table, `-D ${this.own[r.chain].chain} ${grantSpec(r)}`);
    }
    for (const o of openings) {
      for (const kind of kindsOf(o.key)) {
        const c = this.own[kind];
        const at = INSERT_AT[kind] + state.banJumps[kind];
        s.add(c.table, `-I ${c.chain} ${at} ${grantSpec(grantRule(kind, o.key, o.exp))}`);
      }
    }
    await this.xt[family].restore(s.byTable);
  }

  /**
   * Both families' chains; the gateway ones when `gateway` (true: they must
   * be there, undefined: if the FWD chain is). The nat table is only read on
   * a gateway: with iptables-legacy, reading it loads the nat module.
   */
  private async readAll(gateway: boolean | undefined): Promise<ChainState[]> {
    const states = await Promise.all(FAMILIES.map((f) => this.read(f, gateway === false ? ['input'] : ['input', 'fwd'])));
    const isGateway = gateway === true || states.some((s) => s.present.has('fwd'));
    if (!isGateway) return states;
    const nat = await Promise.all(FAMILIES.map((f) => this.read(f, ['dnat'])));
    return states.map((s, i) => ({ rules: [...s.rules, ...nat[i]!.rules], present: new Set([...s.present, ...nat[i]!.present]), banJumps: { ...s.banJumps, dnat: nat[i]!.banJumps.dnat } }));
  }

  private async read(family: Family, kinds: readonly GrantChain[]): Promise<ChainState> {
    const state: ChainState = { rules: [], present: new Set(), banJumps: { input: 0, fwd: 0, dnat: 0 } };
    const listed = await Promise.all(kinds.map((k) => this.xt[family].rules(this.own[k].table, this.own[k].chain)));
    kinds.forEach((kind, i) => {
      const lines = listed[i];
      if (lines === undefined) return;
      state.present.add(kind);
      for (const line of lines) {
        if (isBanJump(line, this.bans.chain)) state.banJumps[kind]++;
        const r = parseGrant(kind, this.own[kind].chain, family, line);
        if (r) state.rules.push(r);
      }
    });
    return state;
  }

  /** Operations run one at a time: each reads the chains and then writes them. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function kindsOf(key: EntryKey): readonly GrantChain[] {
  return key.forward ? ['dnat', 'fwd'] : ['input'];
}

/** Restore lines per table, in the order added. */
class Sections {
  readonly byTable = new Map<Table, string[]>();
  add(table: Table, line: string): void {
    const lines = this.byTable.get(table) ?? [];
    lines.push(line);
    this.byTable.set(table, lines);
  }
}
