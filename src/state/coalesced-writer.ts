// Writes a file at the end of the current tick, once for a burst of changes,
// and only if its text changed; off the event loop, one write at a time, the
// changes made during a write going into the next. Work that must wait until the file is on disk
// (a start command whose stop must be recorded first) is queued behind it.
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { FileStore } from './atomic-file.js';

export class CoalescedWriter {
  private scheduled = false;
  private writing = false;
  private onSettled: Array<() => void> = [];
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

  /** A write is queued or in flight. */
  get pending(): boolean {
    return this.scheduled || this.writing;
  }

  /** Resolves once no write is queued or in flight (an await that really waits for the disk, not a spin). */
  settled(): Promise<void> {
    if (!this.pending) return Promise.resolve();
    return new Promise((resolve) => this.onSettled.push(resolve));
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
    // While a write is in flight, the next one starts when it ends, with every change made meanwhile.
    if (!this.writing) queueMicrotask(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.writing = true;
    const waiting = this.afterWrite.splice(0);
    const text = this.snapshot();
    if (text !== this.lastWritten) {
      try {
        await this.store.writeAtomicAsync(this.path, text);
        this.lastWritten = text;
        this.failing = false;
      } catch (err) {
        // Said once per run of failures, not once per change.
        if (!this.failing) this.log.error(`cannot save ${this.what} to ${this.path}: ${(err as Error).message}`, ev('state.error', { path: this.path, error: (err as Error).message }));
        this.failing = true;
      }
    }
    this.writing = false;
    // Changes made during the write queued no flush of their own (markDirty saw writing = true).
    const rerun = this.scheduled;
    for (const then of waiting) then();
    if (rerun) void this.flush();
    else if (!this.pending) for (const resolve of this.onSettled.splice(0)) resolve();
  }
}
