// The daemon's one ban authority, shared by knock doors (src/door/keeper.ts)
// and SPA doors (src/spa-server/receiver.ts): failures of a source within
// FailureWindow are counted across both, FailureLimit of them ban it for
// BanTime, and a banned source is ignored by both in O(1). Sources inside
// BanExempt are never counted nor banned (the answer to spoofed UDP sources
// getting an innocent address banned). With the nftables backend each ban is
// also a kernel set element with the ban's timeout (KernelBans), so the
// kernel drops the source's packets and lifts the ban by itself.
//
// Pure apart from the injected listener and kernel sink: time is an argument.
import { cidrContains } from '../config/cidr.js';
import type { Cidr, Options } from '../config/model.js';
import { SourcePenalties, type PenaltyLimits } from '../door/penalties.js';
import { reasonCode, reasonName, type BanReason } from './reasons.js';

/** Where bans go besides the daemon's table: the kernel ban set (kernel-queue.ts). Never throws, never blocks. */
export interface KernelBans {
  add(address: string, seconds: number): void;
  /** One address, or every ban (undefined). */
  remove(address: string | undefined): void;
}

export interface Ban {
  readonly address: string;
  readonly reason: BanReason;
  readonly failures: number;
  /** When it ends, ms since the epoch. */
  readonly until: number;
}

export type BanChange =
  | { readonly kind: 'ban'; readonly ban: Ban }
  /** `address` undefined: `unban --all`; `count` bans were live. */
  | { readonly kind: 'unban'; readonly address: string | undefined; readonly count: number; readonly by: string };

export interface BanCounts {
  /** Bans made since start (restored ones not included). */
  readonly total: number;
  /** Live now (entries whose time has passed may linger until pruned). */
  readonly active: number;
  /** Lifted before their time by `portcullis unban`. */
  readonly lifted: number;
  /** Ran out by themselves. */
  readonly expired: number;
  /** Failures not counted because the source is in BanExempt. */
  readonly exempted: number;
  /** Sources with failures but no ban yet. */
  readonly failing: number;
  /** Entries dropped from the full failure and ban tables. */
  readonly evictions: number;
}

export type BanOptions = Pick<Options, 'failureLimit' | 'failureWindowMs' | 'banMs' | 'maxTrackedSources' | 'banExempt'>;

export class BanAuthority {
  private readonly table: SourcePenalties;
  private exempt: readonly Cidr[];
  private kernel: KernelBans | undefined;
  private total = 0;
  private lifted = 0;
  private exempted = 0;

  constructor(options: BanOptions, private readonly listener: (change: BanChange, now: number) => void = () => undefined) {
    this.table = new SourcePenalties(limits(options));
    this.exempt = options.banExempt ?? [];
  }

  /** A reload: new limits and allowlist; bans and failures carry over (a newly exempt source's ban is lifted). */
  reconfigure(options: BanOptions, now: number): void {
    this.table.setLimits(limits(options));
    this.exempt = options.banExempt ?? [];
    for (const b of this.table.list(now)) {
      if (this.isExempt(b.src)) this.unban(b.src, now, 'reload');
    }
  }

  /** From now on bans also go to the kernel; the bans made so far are sent at once. */
  attachKernel(kernel: KernelBans | undefined, now: number): void {
    this.kernel = kernel;
    if (!kernel) return;
    for (const b of this.table.list(now)) kernel.add(b.src, seconds(b.until, now));
  }

  /** O(1): what knock and SPA processing ask of every packet. */
  isBanned(src: string, now: number): boolean {
    return this.table.isBanned(src, now);
  }

  isExempt(src: string): boolean {
    for (const c of this.exempt) if (cidrContains(c, src)) return true;
    return false;
  }

  /** Counts one failure of `src`; returns the ban when it earns one. Exempt sources are never counted. */
  fail(src: string, reason: BanReason, now: number): Ban | undefined {
    if (this.exempt.length > 0 && this.isExempt(src)) {
      this.exempted++;
      return undefined;
    }
    const e = this.table.recordFailure(src, now, reasonCode(reason));
    if (e === undefined) return undefined;
    this.total++;
    const ban: Ban = { address: src, reason, failures: e.failures, until: e.until };
    this.kernel?.add(src, seconds(e.until, now));
    this.listener({ kind: 'ban', ban }, now);
    return ban;
  }

  /**
   * Lifts the ban of `address` (canonical text), or every ban; also forgets
   * their failures and removes the kernel elements. Returns how many bans were live.
   */
  unban(address: string | undefined, now: number, by = 'control'): number {
    let count: number;
    if (address === undefined) {
      count = this.table.unbanAll(now);
    } else {
      count = this.table.unban(address, now) ? 1 : 0;
    }
    // The kernel may hold an element the table lost (evicted, or older than a restart): remove it anyway.
    this.kernel?.remove(address);
    this.lifted += count;
    this.listener({ kind: 'unban', address, count, by }, now);
    return count;
  }

  /** Bans read back from the kernel set at start: the daemon ignores them too, until their kernel timeout. */
  restore(bans: readonly { address: string; until: number }[], now: number): number {
    let n = 0;
    for (const b of bans) {
      if (b.until <= now || this.isExempt(b.address) || this.table.isBanned(b.address, now)) continue;
      this.table.ban(b.address, b.until, 0, reasonCode('restored'));
      n++;
    }
    return n;
  }

  /** The live bans, soonest to end first. O(bans): for status only. */
  list(now: number): Ban[] {
    return this.table.list(now)
      .map((e) => ({ address: e.src, reason: reasonName(e.reason), failures: e.failures, until: e.until }))
      .sort((a, b) => a.until - b.until || a.address.localeCompare(b.address));
  }

  prune(now: number): void {
    this.table.prune(now);
  }

  counts(): BanCounts {
    return {
      total: this.total, active: this.table.bannedCount, lifted: this.lifted, expired: this.table.expired,
      exempted: this.exempted, failing: this.table.failingCount, evictions: this.table.evictions,
    };
  }
}

function limits(o: BanOptions): PenaltyLimits {
  return { failureLimit: o.failureLimit, windowMs: o.failureWindowMs, banMs: o.banMs, maxSources: o.maxTrackedSources };
}

/** Whole seconds left, at least 1 (nft timeouts are whole seconds; 0 would mean none). */
function seconds(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}
