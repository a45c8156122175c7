// The ipset backend's ban parts (src/bans/): two more sets with kernel
// timeouts, matched at the top of the backend's own chain, after the
// established accept and before the grants:
//
//   portcullis_ban4  hash:ip family inet  timeout 0 maxelem 65536   (members 192.0.2.7 timeout N)
//   portcullis_ban6  hash:ip family inet6 timeout 0 maxelem 65536
//   -p P --dport X -m set --match-set portcullis_ban4 src -j DROP     per protected port and SPA port
//
// No per-source SPA rate limit here (that is the nftables backend's). Pure
// text; every value is validated as a literal first.
import { formatAddress, parseAddress } from '../config/address.js';
import { badValue, literalPort, literalProto, type Family } from './iptables-literals.js';
import { guardedPorts, type Layout } from './backend.js';
import { tokenize } from './iptables-spec.js';

export const IPSET_BAN_SIZE = 65_536;
/** ipset's longest timeout on current kernels is 2^31/1000 s; bans are far shorter. */
const MAX_TIMEOUT = 2_000_000;

export function ipsetBanSets(base: string): Record<Family, string> {
  const sets = { 4: `${base}_ban4`, 6: `${base}_ban6` } as const;
  if (sets[4].length > 31) throw badValue(`set name ${sets[4]} is longer than ipset's 31 characters`);
  return sets;
}

/** `ipset restore -exist` lines that create the sets if missing (members kept). */
export function ipsetBanCreate(sets: Record<Family, string>): string[] {
  return ([4, 6] as const).map((f) => `create ${sets[f]} hash:ip family ${f === 4 ? 'inet' : 'inet6'} timeout 0 maxelem ${IPSET_BAN_SIZE}`);
}

/** The chain's ban drops for one family: every protected port, and the SPA ports not among them. */
export function ipsetBanRules(set: string, layout: Layout): string[] {
  return guardedPorts(layout).map((s) => `-p ${literalProto(s.proto)} --dport ${literalPort(s.port)} -m set --match-set ${set} src -m comment --comment "portcullis banned" -j DROP`);
}

/** One `ipset restore -exist` run: `-exist` makes add refresh a member's timeout and del ignore a missing one. */
export function ipsetBanLines(sets: Record<Family, string>, add: readonly { address: string; seconds: number }[], remove: readonly string[] | 'all'): string[] {
  const member = (text: string) => {
    const a = parseAddress(text);
    if (!a) throw badValue(`not an IP address literal: ${JSON.stringify(text)}`);
    return `${sets[a.family]} ${formatAddress(a)}`;
  };
  const lines = remove === 'all' ? [`flush ${sets[4]}`, `flush ${sets[6]}`] : remove.map((a) => `del ${member(a)}`);
  for (const { address, seconds } of add) {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT) throw badValue(`timeout must be 1..${MAX_TIMEOUT} seconds, not ${seconds}`);
    lines.push(`add ${member(address)} timeout ${seconds}`);
  }
  return lines;
}

/** Members with their expiry from `ipset save SET` (`add SET 10.0.0.2 timeout 287`). */
export function parseIpsetBans(text: string, set: string, now: number): { address: string; until: number }[] {
  const out: { address: string; until: number }[] = [];
  for (const line of text.split('\n')) {
    const t = tokenize(line);
    if (t[0] !== 'add' || t[1] !== set || t[2] === undefined) continue;
    const parsed = parseAddress(t[2]);
    const at = t.indexOf('timeout', 3);
    const left = at > 0 && /^\d+$/.test(t[at + 1] ?? '') ? Number(t[at + 1]) : 0;
    if (parsed && left > 0) out.push({ address: formatAddress(parsed), until: now + left * 1000 });
  }
  return out;
}
