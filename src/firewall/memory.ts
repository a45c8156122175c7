// In-memory firewall backend: the double for unit tests of the grant manager
// and the daemon. Keeps entries in a Map, honours kernel expiry if asked to,
// and fails on demand.
import { FirewallError, entryKeyText, type BackendName, type Entry, type EntryKey, type FirewallBackend, type InstalledEntry, type Layout } from './backend.js';

/** The firewall the MemoryBackend writes to; shared by "restarted" backends in tests. */
export class MemoryFirewall {
  readonly entries = new Map<string, Entry>();
  layout: Layout | undefined;
  failing = false;
  /** Every operation, in order, e.g. `open 192.0.2.7 tcp/22`. */
  readonly log: string[] = [];
}

export class MemoryBackend implements FirewallBackend {
  constructor(
    readonly firewall = new MemoryFirewall(),
    readonly kernelExpiry = true,
    readonly name: BackendName = 'nftables',
  ) {}

  async prepare(layout: Layout): Promise<void> {
    this.check('prepare');
    this.firewall.layout = layout;
    this.firewall.log.push('prepare');
  }

  async open(entries: readonly Entry[], now: number): Promise<void> {
    this.check('open');
    this.expire(now);
    for (const e of entries) {
      this.firewall.entries.set(entryKeyText(e), e);
      this.firewall.log.push(`open ${entryKeyText(e)}`);
    }
  }

  async close(entries: readonly EntryKey[]): Promise<void> {
    this.check('close');
    for (const e of entries) {
      this.firewall.entries.delete(entryKeyText(e));
      this.firewall.log.push(`close ${entryKeyText(e)}`);
    }
  }

  async list(now: number): Promise<InstalledEntry[]> {
    this.check('list');
    this.expire(now);
    return [...this.firewall.entries.values()].map((e) => (this.kernelExpiry ? e : withoutExpiry(e)));
  }

  async remove(): Promise<void> {
    this.check('remove');
    this.firewall.entries.clear();
    this.firewall.layout = undefined;
  }

  async dispose(): Promise<void> {}

  /** Whether packets from `address` reach the service now (for assertions). */
  allows(address: string, proto: 'tcp' | 'udp', port: number, now: number): boolean {
    this.expire(now);
    return [...this.firewall.entries.values()].some((e) => e.address === address && e.service.proto === proto && e.service.port === port);
  }

  private expire(now: number): void {
    if (!this.kernelExpiry) return;
    for (const [k, e] of this.firewall.entries) if (e.expiresAt <= now) this.firewall.entries.delete(k);
  }

  private check(op: string): void {
    if (this.firewall.failing) throw new FirewallError('FIREWALL_TOOL_FAILED', `memory firewall: ${op} failed (simulated)`);
  }
}

function withoutExpiry(e: Entry): InstalledEntry {
  const { expiresAt: _, ...key } = e;
  return key;
}
