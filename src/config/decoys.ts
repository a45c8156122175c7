// The Decoys option: `auto`, `off`, or a list of port ranges such as
// `1-1023:tcp, 3000-3999, 53:udp` (protocol defaults to tcp, as for steps).
import type { DecoyPolicy, PortRange, Step } from './model.js';
import { InvalidValueError } from './errors.js';

const ITEM = /^([0-9]+)(?:\s*-\s*([0-9]+))?(?:\s*:\s*([A-Za-z]+))?$/;
const EXPECTED = 'expected auto, off, or port ranges like 1-1023:tcp, 3000-3999, 53:udp';

export function parseDecoys(text: string): DecoyPolicy {
  const word = text.toLowerCase();
  if (word === 'auto' || word === 'off') return { mode: word };
  const tcp: PortRange[] = [];
  const udp: PortRange[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const m = ITEM.exec(item);
    if (!m) throw new InvalidValueError('CONFIG_BAD_VALUE', `"${item}" is not a decoy port range; ${EXPECTED}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 65535 || from > to) {
      throw new InvalidValueError('CONFIG_BAD_PORT', `"${item}" is not a valid port range; expected ports 1-65535, low-high`);
    }
    const proto = (m[3] ?? 'tcp').toLowerCase();
    if (proto === 'tcp') tcp.push({ from, to });
    else if (proto === 'udp') udp.push({ from, to });
    else throw new InvalidValueError('CONFIG_BAD_PROTOCOL', `"${m[3]}" in "${item}" is not a protocol; expected tcp or udp`);
  }
  return { mode: 'ports', tcp, udp };
}

/** Whether an explicit decoy list covers this step (ICMP steps never are decoys). */
export function isDecoyStep(policy: DecoyPolicy, step: Step): boolean {
  if (policy.mode !== 'ports' || step.proto === 'icmp') return false;
  const ranges = step.proto === 'tcp' ? policy.tcp : policy.udp;
  return ranges.some((r) => step.port >= r.from && step.port <= r.to);
}

/** `1-1023/tcp 53/udp`, `auto`, `off`. */
export function formatDecoys(policy: DecoyPolicy): string {
  if (policy.mode !== 'ports') return policy.mode;
  const ranges = (list: readonly PortRange[], proto: string) =>
    list.map((r) => `${r.from === r.to ? r.from : `${r.from}-${r.to}`}/${proto}`);
  return [...ranges(policy.tcp, 'tcp'), ...ranges(policy.udp, 'udp')].join(' ');
}
