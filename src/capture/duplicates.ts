// On Linux's 'any' device a frame that crosses a bridge is captured twice: once
// on the bridge port (eth0, a veth) and once on the bridge (br0, docker0). The
// copy would read as a repeated knock and fail the attempt. The copies are
// byte-identical from the network header on and arrive microseconds apart,
// while a real retransmission comes hundreds of milliseconds later and a new
// knock differs in its IP ID, source port or TCP sequence number.
//
// The time is when the daemon handles the frame (the cap binding gives no
// capture timestamps), and a loaded event loop handled copies up to 40 ms
// apart in the attack suite (test/e2e/attack-replay.test.ts), so the window
// is 250 ms: still well short of TCP's first SYN retransmission (1 s).

const SLOTS = 16;
const HASHED_BYTES = 128;

export class RecentFrames {
  private readonly hashes = new Uint32Array(SLOTS);
  private readonly lengths = new Uint32Array(SLOTS);
  private readonly times = new Float64Array(SLOTS).fill(-Infinity);
  private next = 0;

  constructor(private readonly windowMs = 250) {}

  /**
   * Whether the same network-layer bytes (`frame` from `offset` to `end`)
   * were seen within the window; remembers them either way. O(1).
   */
  isDuplicate(frame: Uint8Array, offset: number, end: number, now: number): boolean {
    const length = end - offset;
    const stop = Math.min(end, offset + HASHED_BYTES);
    // FNV-1a over the headers and the start of the payload.
    let h = 0x811c9dc5;
    for (let i = offset; i < stop; i++) h = Math.imul(h ^ frame[i]!, 0x01000193);
    h >>>= 0;
    let duplicate = false;
    for (let s = 0; s < SLOTS; s++) {
      if (this.hashes[s] === h && this.lengths[s] === length && now - this.times[s]! <= this.windowMs) {
        duplicate = true;
        break;
      }
    }
    this.hashes[this.next] = h;
    this.lengths[this.next] = length;
    this.times[this.next] = now;
    this.next = (this.next + 1) % SLOTS;
    return duplicate;
  }
}
