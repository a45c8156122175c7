// Reading the grant state file back for CommandGrants.restore(): a file that
// cannot be read or parsed costs its stop commands, never the start-up, and a
// corrupt one is set aside for the administrator rather than overwritten unseen.
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { FileStore } from '../state/atomic-file.js';
import type { CoalescedWriter } from '../state/coalesced-writer.js';
import { parseGrants, type GrantRecord } from './grant-file.js';

/**
 * The usable records of the state file at `path`, or undefined when there is
 * nothing to restore (no file, unreadable, or corrupt). Tells `stateFile` what
 * the file holds, and to rewrite it when any of it was unusable.
 */
export function readGrants(store: FileStore, path: string, log: Logger, stateFile: CoalescedWriter): GrantRecord[] | undefined {
  let text: string | undefined;
  try {
    text = store.read(path);
  } catch (err) {
    log.error(`cannot read pending stop commands from ${path}: ${(err as Error).message}`, ev('state.error', { path, error: (err as Error).message }));
    return undefined;
  }
  if (text === undefined) return undefined;
  let records: GrantRecord[];
  try {
    const parsed = parseGrants(text);
    records = parsed.grants;
    for (const reason of parsed.rejected) log.error(`${path}: ignoring unusable pending stop command, ${reason}`);
    if (parsed.rejected.length > 0) stateFile.markDirty();
  } catch (err) {
    log.error(`${path}: ${(err as Error).message}; its stop commands are lost (copy kept in ${path}.corrupt)`, ev('state.error', { path, error: (err as Error).message }));
    saveCopy(store, `${path}.corrupt`, text);
    stateFile.markDirty();
    return undefined;
  }
  stateFile.assumeWritten(text);
  return records;
}

function saveCopy(store: FileStore, path: string, text: string): void {
  try { store.writeAtomic(path, text); } catch { /* best effort */ }
}
