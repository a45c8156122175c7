// The ban authority as the daemon runs it: one per daemon, shared by the
// Doorkeeper (knock doors) and the SPA receiver, logging through the
// daemon's log gate, and — once the firewall backend keeps bans (nftables) —
// mirrored into the kernel ban set, whose elements a previous run left are
// honoured at start (restart reconcile).
import type { Options } from '../config/model.js';
import type { Logger } from '../log/logger.js';
import { ev } from '../log/events.js';
import type { LogGate } from '../daemon/log-gate.js';
import type { Clock } from '../util/clock.js';
import { BanAuthority, type Ban, type BanCounts } from './authority.js';
import { banLogger } from './ban-log.js';
import { KernelBanQueue, type BanStore } from './kernel-queue.js';
import { spaRefusalCounts } from './reasons.js';

export interface DaemonBansDeps {
  readonly log: Logger;
  readonly gate: LogGate;
  readonly clock: Clock;
  /** Told of each ban (the daemon's `bans` counter) and of packets dropped because their source is banned. */
  readonly onBan: () => void;
  readonly onBannedPacket: () => void;
  readonly onLifted: (count: number) => void;
}

export interface BanReport extends BanCounts {
  /** `nftables` when bans are kernel set elements too; undefined: the daemon's table only. */
  readonly kernel: string | undefined;
  readonly bans: readonly Ban[];
}

export class DaemonBans {
  readonly authority: BanAuthority;
  private queue: KernelBanQueue | undefined;
  private kernelName: string | undefined;

  constructor(options: Options, private readonly deps: DaemonBansDeps) {
    this.authority = new BanAuthority(options, banLogger(deps.log, deps.gate, deps.onBan));
  }

  /** The SPA receiver's hook (src/spa-server/receiver.ts): banned sources dropped unread, counted refusals are failures. */
  readonly spaHook = {
    isBanned: (src: string, now: number): boolean => {
      if (!this.authority.isBanned(src, now)) return false;
      this.deps.onBannedPacket();
      return true;
    },
    onRejected: (src: string, reason: string, now: number): void => {
      if (spaRefusalCounts(reason)) this.authority.fail(src, 'spa', now);
    },
  };

  get attached(): boolean {
    return this.queue !== undefined;
  }

  /**
   * Bans go to the kernel from now on. Bans the kernel still holds from an
   * earlier run are honoured by the daemon too (until their kernel timeout);
   * those of sources now exempt are removed.
   */
  async attach(store: BanStore | undefined, backend: string): Promise<void> {
    if (store === undefined || this.queue !== undefined) return;
    const { log, clock } = this.deps;
    const queue = new KernelBanQueue({
      store,
      now: () => clock.now(),
      onError: (message) => { if (this.deps.gate.allow(clock.now())) log.warn(message, ev('firewall.error', { error: message })); },
    });
    let restored = 0;
    let lifted = 0;
    try {
      const now = clock.now();
      const kernel = await store.listBans(now);
      restored = this.authority.restore(kernel, now);
      for (const b of kernel) if (this.authority.isExempt(b.address)) { queue.remove(b.address); lifted++; }
    } catch (err) {
      log.warn(`cannot read the kernel's bans (new bans still go there): ${(err as Error).message}`, ev('firewall.error', { error: (err as Error).message }));
    }
    this.queue = queue;
    this.kernelName = backend;
    this.authority.attachKernel(queue, clock.now());
    log.info(`bans: kept in the kernel too (${backend})${restored > 0 ? `; ${restored} ban(s) of an earlier run still in force` : ''}${lifted > 0 ? `; ${lifted} of now exempt sources lifted` : ''}`);
  }

  /** `portcullis unban`: resolves once the kernel elements are gone too. */
  async unban(address: string | undefined): Promise<number> {
    const n = this.authority.unban(address, this.deps.clock.now());
    this.deps.onLifted(n);
    await this.queue?.idle();
    return n;
  }

  /** Resolves once queued kernel changes are applied (or failed). */
  async settled(): Promise<void> {
    await this.queue?.idle();
  }

  report(now: number): BanReport {
    return { ...this.authority.counts(), kernel: this.kernelName, bans: this.authority.list(now) };
  }
}
