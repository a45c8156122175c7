// Start-up reconciliation, pure: what the daemon recorded against what the
// firewall holds. Recorded grants still valid are restored (missing entries
// re-added, all with their recorded expiry); expired grants and entries the
// firewall holds that no valid grant explains (strays of an earlier run) are
// removed. The backend only ever lists Portcullis's own table/chains/sets, so
// the administrator's rules never appear here.
import { entryKeyText, type Entry, type EntryKey, type InstalledEntry } from '../firewall/backend.js';
import { entriesOf, grantKey, type GrantRecord } from './record.js';

export interface ReconcilePlan {
  /** Grants to keep, with timers re-armed. */
  readonly keep: GrantRecord[];
  /** Entries to (re-)install with their recorded expiry. */
  readonly open: Entry[];
  /** Expired or unexplained entries to remove. */
  readonly close: EntryKey[];
  readonly expired: GrantRecord[];
  readonly strays: InstalledEntry[];
}

export function reconcile(recorded: readonly GrantRecord[], installed: readonly InstalledEntry[], now: number): ReconcilePlan {
  const keep: GrantRecord[] = [];
  const expired: GrantRecord[] = [];
  const byGrant = new Map<string, GrantRecord>();
  for (const g of recorded) {
    const k = grantKey(g.door, g.address);
    const prev = byGrant.get(k);
    if (!prev || prev.expiresAt < g.expiresAt) byGrant.set(k, g);
  }
  for (const g of byGrant.values()) (g.expiresAt > now ? keep : expired).push(g);

  const wanted = new Map<string, Entry>();
  for (const g of keep) {
    for (const e of entriesOf(g)) {
      const k = entryKeyText(e);
      const prev = wanted.get(k);
      // Two doors may open the same port for one address: the later expiry wins.
      if (!prev || prev.expiresAt < e.expiresAt) wanted.set(k, e);
    }
  }
  const present = new Map(installed.map((e) => [entryKeyText(e), e]));
  const open: Entry[] = [];
  for (const [k, e] of wanted) {
    const have = present.get(k);
    // Re-added unless the firewall holds it with (about) the right expiry already.
    if (!have || have.expiresAt === undefined || Math.abs(have.expiresAt - e.expiresAt) > 2000) open.push(e);
  }
  const strays = installed.filter((e) => !wanted.has(entryKeyText(e)));
  return { keep, open, close: strays.map(keyOnly), expired, strays };
}

function keyOnly(e: InstalledEntry): EntryKey {
  return e.forward ? { address: e.address, family: e.family, service: e.service, forward: e.forward } : { address: e.address, family: e.family, service: e.service };
}
