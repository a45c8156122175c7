// What the control socket serves: the status report and the handler the
// server calls. Grants are generic (door, address, services, expiry, backend),
// so command grants and firewall grants report the same way.

/** One grant as its owner (command grants, a firewall grant manager) reports it. */
export interface ActiveGrant {
  readonly door: string;
  /** Canonical address text (formatAddress), as the packet decoder prints it. */
  readonly address: string;
  /** What is open, e.g. `tcp/22`; empty when the grant's owner cannot know (a start command). */
  readonly services: readonly string[];
  /** When it closes, ms since the epoch; undefined if it has no end. */
  readonly expiresAt: number | undefined;
  /** Who holds it: `command` for knockd-style start/stop commands, else the firewall backend's name. */
  readonly backend: string;
  /** `opening`: start command running; `closing`: stop command running. */
  readonly state: 'opening' | 'open' | 'closing';
}

/** Anything that holds grants and can take them back now. */
export interface GrantControl {
  active(): ActiveGrant[];
  /** Closes the grants of `address` (every grant if undefined) now; resolves with how many it closed. */
  revoke(address: string | undefined): Promise<number>;
}

export type ReloadOutcome =
  | { readonly ok: true; readonly doors: number }
  | { readonly ok: false; readonly errors: readonly string[] };

export interface DoorStatus {
  readonly name: string;
  /** `firewall`: opens ports through a backend; `command`: runs start/stop commands (what they open is unknown). */
  readonly kind: 'firewall' | 'command';
  /** What opens it: a knock `sequence` (or one-time sequences), a `sequence_secret`, or an fwknop `spa` packet. */
  readonly trigger: 'sequence' | 'secret' | 'spa';
  /** An SPA door with enable_cmd_exec: it also runs command messages. */
  readonly commands?: boolean;
  /** `tcp/22`, `tcp/13389 -> 10.0.0.5:3389`; empty for command doors. */
  readonly opens: readonly string[];
  readonly steps: number;
  /** Attempts in flight on this door; left out when the attempt table is too large to count cheaply. */
  readonly attempts?: number;
}

export interface GrantStatus extends ActiveGrant {
  /** Whole seconds until expiresAt (rounded up, never negative); undefined if it has no end. */
  readonly secondsLeft: number | undefined;
}

export interface CounterReport {
  /** Packets the capture filter let through. */
  readonly packets: number;
  /** Steps matched. */
  readonly knocks: number;
  readonly opens: number;
  readonly failures: number;
  readonly decoyHits: number;
  readonly timeouts: number;
  /** Attempts dropped because the attempt table was full. */
  readonly evictions: number;
  readonly bans: number;
  /** Packets that had no effect, by reason. */
  readonly ignored: Readonly<Record<string, number>>;
  /** SPA datagrams: received, accepted, refused by reason (src/spa-server/gate.ts); absent from older daemons. */
  readonly spa?: { readonly packets: number; readonly opens: number; readonly refused: Readonly<Record<string, number>>; readonly commands?: number };
}

export interface StatusReport {
  readonly version: string;
  readonly pid: number;
  /** The daemon's clock when the report was made, ms since the epoch. */
  readonly now: number;
  readonly startedAt: number;
  readonly config: string;
  readonly doors: readonly DoorStatus[];
  /** Soonest to close first. */
  readonly grants: readonly GrantStatus[];
  readonly attempts: { readonly inFlight: number; readonly max: number };
  readonly sources: {
    readonly banned: number;
    readonly failing: number;
    /** Entries dropped from the full attempt, failure, ban and cooldown tables. */
    readonly evictions: number;
  };
  readonly counters: CounterReport;
  /** Bans (src/bans/): counts and the live bans, soonest to end first; absent from older daemons. */
  readonly bans?: BanReport;
}

export interface BanStatus {
  readonly address: string;
  /** `wrong-knock`, `too-soon`, `decoy`, `spa` (refused SPA packets) or `restored` (from the kernel, an earlier run). */
  readonly reason: string;
  /** Failures that earned it (0 when restored). */
  readonly failures: number;
  /** When it ends, ms since the epoch, and whole seconds until then (rounded up). */
  readonly until: number;
  readonly secondsLeft: number;
}

export interface BanReport {
  /** Bans made since start. */
  readonly total: number;
  readonly active: number;
  /** Lifted by `portcullis unban`. */
  readonly lifted: number;
  /** Ran out by themselves. */
  readonly expired: number;
  /** Failures not counted: the source is in BanExempt. */
  readonly exempted: number;
  /** `nftables` when each ban is also a kernel set element; absent: bans live in the daemon only. */
  readonly kernel?: string;
  readonly list: readonly BanStatus[];
}

/** What the server asks of the daemon. Errors thrown are sent to the client (PortcullisError code and message). */
export interface ControlHandler {
  status(): Promise<StatusReport> | StatusReport;
  /** `address` is canonical, or undefined for every grant. */
  revoke(address: string | undefined): Promise<number>;
  reload(): Promise<ReloadOutcome> | ReloadOutcome;
  /** Lifts the ban of `address` (canonical), or every ban; resolves with how many were live. */
  unban?(address: string | undefined): Promise<number>;
}
