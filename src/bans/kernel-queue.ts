// Bans on their way to the kernel ban set (the nftables backend's banned4 and
// banned6, src/firewall/nft-bans.ts). Changes are queued and sent as one nft
// transaction at a time; those that arrive while one is in flight are merged
// (the last request per address wins), so a burst of bans under a flood costs
// a few transactions, and the packet path never waits for nft. The queue is
// bounded: past MAX_PENDING waiting additions, further ones stay in the
// daemon's table only (counted, and said once per burst).
import type { KernelBans } from './authority.js';

/** What a firewall backend offers for bans (NftablesBackend implements it). */
export interface BanStore {
  /** One transaction: removes `remove` (or empties the sets first, for 'all'), then adds each address with its timeout in seconds. */
  applyBans(add: readonly { readonly address: string; readonly seconds: number }[], remove: readonly string[] | 'all'): Promise<void>;
  /** The ban elements the kernel holds now, with their expiry (ms since the epoch). */
  listBans(now: number): Promise<{ address: string; until: number }[]>;
}

export function isBanStore(x: unknown): x is BanStore {
  return typeof x === 'object' && x !== null && typeof (x as BanStore).applyBans === 'function' && typeof (x as BanStore).listBans === 'function';
}

export const MAX_PENDING = 8192;

export interface KernelBanQueueDeps {
  readonly store: BanStore;
  readonly now: () => number;
  /** A failed transaction or a full queue (the caller rate-limits the log line). */
  readonly onError: (message: string) => void;
}

export class KernelBanQueue implements KernelBans {
  /** Address → when its ban ends. */
  private adds = new Map<string, number>();
  private removes = new Set<string>();
  private removeAll = false;
  private inFlight: Promise<void> | undefined;
  /** Additions dropped because the queue was full. */
  dropped = 0;
  /** Transactions nft refused. */
  failures = 0;

  constructor(private readonly deps: KernelBanQueueDeps) {}

  add(address: string, seconds: number): void {
    this.removes.delete(address);
    if (!this.adds.has(address) && this.adds.size >= MAX_PENDING) {
      if (this.dropped++ === 0) this.deps.onError(`more than ${MAX_PENDING} bans waiting for the kernel; further bans are kept by the daemon only until it catches up`);
      return;
    }
    this.adds.set(address, this.deps.now() + seconds * 1000);
    this.kick();
  }

  remove(address: string | undefined): void {
    if (address === undefined) {
      this.adds.clear();
      this.removes.clear();
      this.removeAll = true;
    } else {
      this.adds.delete(address);
      if (!this.removeAll) this.removes.add(address);
    }
    this.kick();
  }

  /** Resolves once everything queued so far is applied (or has failed). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private kick(): void {
    if (this.inFlight) return;
    this.inFlight = this.flush().finally(() => {
      this.inFlight = undefined;
      if (this.adds.size > 0 || this.removes.size > 0 || this.removeAll) this.kick();
    });
  }

  private async flush(): Promise<void> {
    // Let the rest of this tick's bans join the batch.
    await Promise.resolve();
    const now = this.deps.now();
    const add = [...this.adds].map(([address, until]) => ({ address, seconds: Math.max(1, Math.ceil((until - now) / 1000)) }));
    const remove: string[] | 'all' = this.removeAll ? 'all' : [...this.removes];
    this.adds = new Map();
    this.removes = new Set();
    this.removeAll = false;
    this.dropped = 0;
    try {
      await this.deps.store.applyBans(add, remove);
    } catch (err) {
      this.failures++;
      this.deps.onError(`cannot update the kernel ban set (the daemon still ignores these sources): ${(err as Error).message}`);
    }
  }
}
