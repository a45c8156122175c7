// The nftables backend: grants are set elements with kernel timeouts (see
// nft-script.ts for the table). Set-up and listing run `nft -f -` / `nft -j`;
// grant changes go through one long-lived `nft -i` (nft-channel.ts), so the
// knock path spawns no process.
import { FirewallError, secondsLeft, type Entry, type EntryKey, type FirewallBackend, type InstalledEntry, type Layout } from './backend.js';
import { NftChannel } from './nft-channel.js';
import { parseNftListing } from './nft-json.js';
import { elementsCommand, entryElements, flushScript, prepareScript, removeScript, setNames, tableRef, type NftTarget } from './nft-script.js';
import { describeFailure, type ToolRunner } from './tool.js';
import { BAN_BATCH, banCommand, parseBanListing } from './nft-bans.js';
import type { SpaRateLimit } from '../config/model.js';
import type { BanStore } from '../bans/kernel-queue.js';

export interface NftablesOptions {
  readonly runner: ToolRunner;
  readonly target?: NftTarget;
  /** Own-table chain priority. */
  readonly priority?: number;
  /** Told when the long-lived nft exits unexpectedly. */
  readonly onChannelExit?: (reason: string) => void;
  /** The per-source kernel limit on SPA ports (nft-bans.ts); absent: off. */
  readonly spaRateLimit?: SpaRateLimit | 'off';
}

export const OWN_TABLE: NftTarget = { family: 'inet', table: 'portcullis', integrated: false };

export class NftablesBackend implements FirewallBackend, BanStore {
  readonly name = 'nftables';
  readonly kernelExpiry = true;
  readonly target: NftTarget;
  private readonly runner: ToolRunner;
  private readonly priority: number;
  private readonly channel: NftChannel;
  private readonly spaRateLimit: SpaRateLimit | 'off';

  constructor(options: NftablesOptions) {
    this.runner = options.runner;
    this.target = options.target ?? OWN_TABLE;
    this.priority = options.priority ?? -10;
    this.spaRateLimit = options.spaRateLimit ?? 'off';
    tableRef(this.target); // validates the names now, not at the first knock
    this.channel = new NftChannel(this.runner, options.onChannelExit ? { onExit: options.onChannelExit } : {});
  }

  /** Times the long-lived nft process was started (more than 1 = it died and was restarted). */
  get channelStarts(): number {
    return this.channel.starts;
  }

  async prepare(layout: Layout): Promise<void> {
    await this.script(prepareScript(this.target, { ...layout, priority: this.priority, spaRateLimit: this.spaRateLimit }), 'cannot set up the nftables table');
  }

  /** Kernel bans (src/bans/kernel-queue.ts): elements of banned4/banned6 with the ban's timeout, through the long-lived nft. */
  async applyBans(add: readonly { readonly address: string; readonly seconds: number }[], remove: readonly string[] | 'all'): Promise<void> {
    // Removals first (as queued), then additions; at most BAN_BATCH addresses per transaction.
    // `flush set` through `nft -e -i` commits without the "# new generation" line the channel
    // waits for (nft 1.0.6), so --all (an administrator's command) runs as its own `nft -f -`.
    if (remove === 'all') await this.script(`${banCommand(this.target, [], 'all').split('; ').join('\n')}\n`, 'cannot empty the ban sets');
    else for (let i = 0; i < remove.length; i += BAN_BATCH) await this.channel.run(banCommand(this.target, [], remove.slice(i, i + BAN_BATCH)));
    for (let i = 0; i < add.length; i += BAN_BATCH) await this.channel.run(banCommand(this.target, add.slice(i, i + BAN_BATCH), []));
  }

  async listBans(now: number): Promise<{ address: string; until: number }[]> {
    const r = await this.runner.run('nft', ['-j', 'list', 'table', ...tableRef(this.target).split(' ')]);
    if (r.code !== 0) {
      if (r.error === undefined && /No such file or directory/.test(r.stderr)) return [];
      throw new FirewallError('FIREWALL_TOOL_FAILED', 'cannot list the nftables bans', describeFailure('nft', r));
    }
    return parseBanListing(r.stdout, this.target, now);
  }

  async open(entries: readonly Entry[], now: number): Promise<void> {
    if (entries.length === 0) return;
    const open = entries.flatMap((e) => entryElements(this.target, e).map((ref) => ({ ref, seconds: secondsLeft(e.expiresAt, now) })));
    await this.channel.run(elementsCommand(this.target, open, []));
  }

  async close(entries: readonly EntryKey[]): Promise<void> {
    if (entries.length === 0) return;
    const refs = entries.flatMap((e) => entryElements(this.target, e));
    await this.channel.run(elementsCommand(this.target, [], refs));
  }

  async list(now: number): Promise<InstalledEntry[]> {
    const r = await this.runner.run('nft', ['-j', 'list', 'table', ...tableRef(this.target).split(' ')]);
    if (r.code !== 0) {
      // No table yet (never prepared, or removed): nothing of ours is installed.
      if (r.error === undefined && /No such file or directory/.test(r.stderr)) return [];
      throw new FirewallError('FIREWALL_TOOL_FAILED', 'cannot list the nftables grants', describeFailure('nft', r));
    }
    return parseNftListing(r.stdout, setNames(this.target), now);
  }

  async remove(): Promise<void> {
    const r = await this.runner.run('nft', ['-f', '-'], removeScript(this.target));
    if (r.code === 0 || (r.error === undefined && /No such file or directory/.test(r.stderr))) return;
    if (this.target.integrated && r.error === undefined && /Device or resource busy/.test(r.stderr)) {
      // The administrator's rules still use our sets; we never touch their
      // rules, so the sets stay, emptied: no grant is left open.
      await this.script(flushScript(this.target), 'cannot empty the grant sets');
      return;
    }
    throw new FirewallError('FIREWALL_TOOL_FAILED', 'cannot remove the nftables table', describeFailure('nft', r));
  }

  async dispose(): Promise<void> {
    await this.channel.close();
  }

  private async script(text: string, what: string): Promise<void> {
    const r = await this.runner.run('nft', ['-f', '-'], text);
    if (r.code !== 0) throw new FirewallError('FIREWALL_TOOL_FAILED', what, describeFailure('nft', r));
  }
}
