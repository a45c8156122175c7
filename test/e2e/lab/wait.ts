// Polling for a condition that another process brings about.
import { sleep } from './run.js';

/**
 * Resolves with the milliseconds it took `condition` to hold; rejects after
 * `timeoutMs` with `what` in the message.
 */
export async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await condition()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
