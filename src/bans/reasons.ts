// Why a source was banned: the kind of the failure that reached FailureLimit.
// Stable names (status, JSON logs); their index is what the ban table stores.

/** Knock failures (src/door/keeper.ts), SPA refusals, and bans read back from the kernel after a restart. */
export const BAN_REASONS = ['wrong-knock', 'too-soon', 'decoy', 'spa', 'restored'] as const;
export type BanReason = (typeof BAN_REASONS)[number];

export function reasonCode(r: BanReason): number {
  return BAN_REASONS.indexOf(r);
}

export function reasonName(code: number): BanReason {
  return BAN_REASONS[code] ?? 'restored';
}

/**
 * SPA refusals that count as a failure of their source: the packet was an
 * attempt at authorization that failed (wrong keys, a replay, a source or a
 * request the door does not allow). Not counted, because an honest client or
 * plain noise causes them: packets that are not SPA at all (too-short,
 * too-long, not-base64, prefixed, gpg: a UDP scan of the port), `stale` and
 * `replay-unknown` (a client's clock, or our own crash), `bad-key` (our
 * config), `command-busy` and `repeat` (a bridge's second copy of an accepted
 * packet, src/spa-server/recent-accepts.ts). Names are matched as text, so reasons the gate
 * adds later count only once listed here.
 */
const SPA_COUNTED: ReadonlySet<string> = new Set([
  'source-not-allowed', 'replay',
  'bad-hmac', 'decrypt-failed', 'bad-digest', 'bad-fields',
  'source-required', 'source-mismatch', 'username',
  'command', 'command-syntax', 'command-not-allowed', 'nat', 'port-not-allowed', 'forward-not-allowed',
]);

export function spaRefusalCounts(reason: string): boolean {
  return SPA_COUNTED.has(reason);
}
