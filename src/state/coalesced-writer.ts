// Writes a file at the end of the current tick, once for a burst of changes,
// and only if its text changed. Work that must wait until the file is on disk
// (a start command whose stop must be recorded first) is queued behind it.
import type { Logger } from '../log/logger.js';
import type { FileStore } from './atomic-file.js';

export class CoalescedWriter {
  private scheduled = false;
  private lastWritten: string | undefined;
  private failing = false;
  private afterWrite: Array<() => void> = [];

  constructor(
    private readonly store: FileStore,
    private readonly path: string,
    private readonly log: Logger,
    /** The file's current text, computed at write time. */
    private readonly snapshot: () => string,
    /** What the file holds, for the error message. */
    private readonly what = 'state',
  ) {}

  /** A write is queued for the end of this tick. */
  get pending(): boolean {
    return this.scheduled;
  }

  /** Tells the writer the file already holds `text` (just read), so an unchanged snapshot is not rewritten. */
  assumeWritten(text: string): void {
    this.lastWritten = text;
  }

  /** Queues a write; `then` runs after it (also if it failed: callers must not depend on the disk). */
  markDirty(then?: () => void): void {
    if (then) this.afterWrite.push(then);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const text = this.snapshot();
    if (text !== this.lastWritten) {
      try {
        this.store.writeAtomic(this.path, text);
        this.lastWritten = text;
        this.failing = false;
      } catch (err) {
        // Said once per run of failures, not once per change.
        if (!this.failing) this.log.error(`cannot save ${this.what} to ${this.path}: ${(err as Error).message}`);
        this.failing = true;
      }
    }
    for (const then of this.afterWrite.splice(0)) then();
  }
}
