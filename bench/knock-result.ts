// One legitimate knock and what came of it: sent (one at a time, since the
// client's source route is switched per knock), then awaited (several may be
// pending at once during the flood).
import type { ElementWatch } from './element-watch.js';
import type { KnockCapture } from './knock-capture.js';
import type { Knocker } from './knocker.js';
import { SEQUENCE } from './ruleset.js';
import type { WallClock } from './wall-clock.js';

export interface SentKnock {
  readonly src: string;
  /** Wall-clock time just before the knock was sent. */
  readonly knockedAt: number;
  /** Wall-clock time `knock` exited on the client. */
  readonly exitedAt: number;
}

export interface KnockResult extends SentKnock {
  /** The element appeared within the open window. */
  readonly opened: boolean;
  /** Last knock packet on the server's interface (kernel timestamp) → element added. */
  readonly latencyMs?: number;
  /** `knock` exited on the client → element added (cross-check; includes process exit). */
  readonly fromClientMs?: number;
  /**
   * Capture timestamp of the last knock → `knock` exited. Must be positive
   * (the packet left before the client exited); a negative value means the
   * kernel's and the bench's clocks disagree.
   */
  readonly captureToExitMs?: number;
  /** The element appeared only after the window closed (ms after the knock). */
  readonly lateMs?: number;
  /** For a knock that did not open: whether its last packet reached the server's interface. */
  readonly lastPacketArrived?: boolean;
}

export interface KnockTools {
  readonly knocker: Knocker;
  readonly watch: ElementWatch;
  readonly capture: KnockCapture;
  readonly clock: WallClock;
}

export async function sendKnock(tools: KnockTools): Promise<SentKnock> {
  const src = tools.knocker.takeSource();
  const { startedAt, exitedAt } = await tools.knocker.knock(src, SEQUENCE);
  return { src, knockedAt: startedAt, exitedAt };
}

/** Waits up to `windowMs` after `knock` exited for its element. */
export async function awaitOpen(tools: KnockTools, sent: SentKnock, windowMs: number): Promise<KnockResult> {
  const remaining = sent.exitedAt + windowMs - tools.clock.now();
  const addedAt = await tools.watch.waitForAdd(sent.src, sent.knockedAt, Math.max(0, remaining));
  if (addedAt === undefined) {
    const last = await tools.capture.firstFrom(sent.src, sent.knockedAt - 1, 200);
    return { ...sent, opened: false, lastPacketArrived: last !== undefined };
  }
  const last = await tools.capture.firstFrom(sent.src, sent.knockedAt - 1);
  return {
    ...sent,
    opened: true,
    ...(last ? { latencyMs: addedAt - last.at, captureToExitMs: sent.exitedAt - last.at } : {}),
    fromClientMs: addedAt - sent.exitedAt,
  };
}

/** Knocks that failed, marked with how late their element showed up, if it did. */
export function withLateOpens(results: readonly KnockResult[], watch: ElementWatch): KnockResult[] {
  return results.map((r) => {
    if (r.opened) return r;
    const at = watch.addsOf(r.src, r.knockedAt)[0];
    return at === undefined ? r : { ...r, lateMs: at - r.knockedAt };
  });
}
