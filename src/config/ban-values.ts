// Values of the ban keys in [options]: `BanExempt = CIDR[, CIDR…]` and
// `SPA_Rate_Limit = N/second [burst M] | off` (src/bans/, src/firewall/nft-bans.ts).
import type { SpaRateLimit } from './model.js';
import { InvalidValueError } from './errors.js';
import { parseAllowList } from './values.js';
import type { Cidr } from './model.js';

export function parseBanExempt(text: string): Cidr[] {
  return parseAllowList(text);
}

const RATE = /^([0-9]{1,6})\s*\/\s*(?:s|sec|second)(?:\s+burst\s+([0-9]{1,6})(?:\s+packets)?)?$/i;
const MAX_RATE = 100_000;

export function parseSpaRateLimit(text: string): SpaRateLimit | 'off' {
  const value = text.trim();
  if (/^off$/i.test(value)) return 'off';
  const m = RATE.exec(value);
  const perSecond = m ? Number(m[1]) : NaN;
  const burst = m?.[2] !== undefined ? Number(m[2]) : perSecond;
  if (!m || perSecond < 1 || perSecond > MAX_RATE || burst < 1 || burst > MAX_RATE) {
    throw new InvalidValueError('CONFIG_BAD_VALUE',
      `"${value}" is not a rate limit; expected PACKETS/second with 1 to ${MAX_RATE} packets, optionally followed by burst PACKETS (e.g. 20/second or 20/second burst 40), or off`);
  }
  return { perSecond, burst };
}
