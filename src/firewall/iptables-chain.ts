// One address family's iptables program (iptables or ip6tables): reading a
// chain with -S, checking a rule with -C, applying a batch with
// `*-restore --noflush` (one process, one atomic commit per table, and the
// administrator's rules are left as they are), and taking Portcullis's own
// chains away. Always -w: wait for the xtables lock instead of failing when
// another program holds it.
import { FirewallError } from './backend.js';
import { describeFailure, type ToolResult, type ToolRunner } from './tool.js';
import { isJump, jumpArgs } from './iptables-spec.js';
import type { Family } from './iptables-literals.js';

export type Table = 'filter' | 'nat';

/** An own chain and the built-in chain that jumps to it. */
export interface OwnChain {
  readonly table: Table;
  readonly from: 'INPUT' | 'FORWARD' | 'PREROUTING';
  readonly chain: string;
}

export class Xtables {
  readonly tool: 'iptables' | 'ip6tables';
  readonly restoreTool: 'iptables-restore' | 'ip6tables-restore';

  constructor(private readonly runner: ToolRunner, readonly family: Family) {
    this.tool = family === 4 ? 'iptables' : 'ip6tables';
    this.restoreTool = family === 4 ? 'iptables-restore' : 'ip6tables-restore';
  }

  /**
   * The `-S` lines of a chain, or undefined when it does not exist. The
   * message for a missing chain differs between iptables-legacy and -nft (and
   * -nft even calls it "incompatible"), so a failure is checked against the
   * table's chain list rather than by its text.
   */
  async rules(table: Table, chain: string): Promise<string[] | undefined> {
    const r = await this.runner.run(this.tool, ['-w', '-t', table, '-S', chain]);
    if (r.code === 0 && r.error === undefined) return lines(r.stdout);
    const all = await this.runner.run(this.tool, ['-w', '-t', table, '-S']);
    if (all.code === 0 && all.error === undefined && !lines(all.stdout).some((l) => l === `-N ${chain}` || l.startsWith(`-P ${chain} `))) return undefined;
    throw this.failed(`cannot list chain ${chain}`, r);
  }

  /** Whether Portcullis's jump from `from` into `chain` is there (`-C`: 0 yes, 1 no such rule, 2 no such chain). */
  async hasJump(c: OwnChain): Promise<boolean> {
    const r = await this.runner.run(this.tool, ['-w', '-t', c.table, '-C', c.from, ...jumpArgs(c.chain)]);
    if (r.code === 0 && r.error === undefined) return true;
    if (r.code === 1 || r.code === 2) return false; // if the tool is broken, the restore that follows says so
    throw this.failed(`cannot check the jump to ${c.chain}`, r);
  }

  /** Applies `-A/-I/-D/-F/-X` lines per table in one `*-restore --noflush` run; no run when there is nothing to do. */
  async restore(sections: ReadonlyMap<Table, readonly string[]>): Promise<void> {
    const script = restoreScript(sections);
    if (script === '') return;
    const r = await this.runner.run(this.restoreTool, ['-w', '--noflush'], script);
    if (r.code !== 0 || r.error !== undefined) throw this.failed('cannot apply rules', r, this.restoreTool);
  }

  /** Deletes the jumps into the chains, then flushes and deletes the chains; what is not there is skipped. */
  async removeChains(chains: readonly OwnChain[]): Promise<void> {
    const sections = new Map<Table, string[]>();
    const add = (table: Table, line: string) => sections.set(table, [...(sections.get(table) ?? []), line]);
    const present: OwnChain[] = [];
    for (const c of chains) {
      for (const line of (await this.rules(c.table, c.from)) ?? []) {
        if (isJump(line, c.from, c.chain)) add(c.table, `-D ${c.from} ${jumpArgs(c.chain).join(' ')}`);
      }
      if ((await this.rules(c.table, c.chain)) !== undefined) present.push(c);
    }
    // Every jump goes before any chain is deleted: -X refuses a chain that is still referenced.
    for (const c of present) add(c.table, `-F ${c.chain}`);
    for (const c of present) add(c.table, `-X ${c.chain}`);
    await this.restore(sections);
  }

  failed(what: string, r: ToolResult, file: string = this.tool): FirewallError {
    return new FirewallError('FIREWALL_TOOL_FAILED', `${this.tool}: ${what}`, describeFailure(file, r));
  }
}

/** `*table … COMMIT` sections for iptables-restore; empty when no section has lines. */
export function restoreScript(sections: ReadonlyMap<Table, readonly string[]>): string {
  const out: string[] = [];
  for (const [table, body] of sections) if (body.length > 0) out.push(`*${table}`, ...body, 'COMMIT');
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}
