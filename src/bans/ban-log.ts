// The security events of the ban authority: each ban once (through the
// daemon's rate-limited log gate: an outsider can cause bans at packet rate,
// and the periodic summary counts what was held back), each unban once (an
// administrator's act, never rate-limited). Event names from src/log/events.ts.
import type { Logger } from '../log/logger.js';
import { ev } from '../log/events.js';
import type { LogGate } from '../daemon/log-gate.js';
import type { BanChange } from './authority.js';

export function banLogger(log: Logger, gate: LogGate, onBan: () => void = () => undefined): (change: BanChange, now: number) => void {
  return (change, now) => {
    if (change.kind === 'ban') {
      onBan();
      const b = change.ban;
      if (!gate.allow(now)) return;
      const seconds = Math.round((b.until - now) / 1000);
      // knockd has no bans; this text is Portcullis's since the first release (tests and log watchers match it).
      const what = b.reason === 'spa' ? 'refused SPA packets' : 'failed knocks';
      log.info(`${b.address}: too many ${what}, ignoring this source for ${seconds} s`,
        ev('ban.add', { src: b.address, seconds, reason: b.reason, failures: b.failures }));
      return;
    }
    const target = change.address ?? 'every address';
    log.info(`${change.by}: unban ${change.address ?? '--all'}: ${change.count} ban${change.count === 1 ? '' : 's'} lifted${change.count === 0 && change.address ? ` (${target} was not banned)` : ''}`,
      ev('ban.lift', { src: change.address ?? 'all', by: change.by, count: change.count }));
  };
}
