// A second copy of a packet the gate just authenticated, from the same
// source: a bridge (Linux's `any` capture sees a bridged frame on the port
// and on the bridge; under load the capture's 250 ms duplicate filter,
// src/capture/duplicates.ts, can miss it) or a network that duplicates
// datagrams. It is still refused — the digest is in the replay cache — but
// as `repeat`, which does not count towards a ban: five SPA opens behind a
// bridge must not ban their own client. A replay by anyone else, or later
// than COPY_WINDOW_MS, is still `replay`.

/** Copies arrive microseconds apart; a loaded event loop handled them up to 40 ms apart (docs/security.md). */
export const COPY_WINDOW_MS = 500;
const SLOTS = 32;

export class RecentAccepts {
  private readonly digests: string[] = new Array<string>(SLOTS).fill('');
  private readonly sources: string[] = new Array<string>(SLOTS).fill('');
  private readonly times = new Float64Array(SLOTS).fill(-Infinity);
  private next = 0;

  /** Remembers an authenticated packet. O(1). */
  add(digest: string, src: string, now: number): void {
    this.digests[this.next] = digest;
    this.sources[this.next] = src;
    this.times[this.next] = now;
    this.next = (this.next + 1) % SLOTS;
  }

  /** Whether `digest` from `src` was authenticated within COPY_WINDOW_MS. O(SLOTS). */
  isCopy(digest: string, src: string, now: number): boolean {
    for (let s = 0; s < SLOTS; s++) {
      if (this.digests[s] === digest && this.sources[s] === src && now - this.times[s]! <= COPY_WINDOW_MS) return true;
    }
    return false;
  }
}
