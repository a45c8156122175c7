// TCPFlags as a kernel test: which flags to look at and which of them must be
// set (knockd(1): each listed flag set, or clear with `!`; others ignored).
import type { Door, TcpFlag } from '../config/model.js';

/** A TCP packet fits when each flag in `mask` is set exactly if it is in `set`; an empty mask fits any packet. */
export interface FlagTest {
  readonly mask: readonly TcpFlag[];
  readonly set: readonly TcpFlag[];
}

export const ANY_FLAGS: FlagTest = { mask: [], set: [] };

const BIT_ORDER: readonly TcpFlag[] = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg'];

export function flagTest(door: Door): FlagTest {
  return sorted(door.tcpFlags.map((r) => r.flag), door.tcpFlags.filter((r) => r.set).map((r) => r.flag));
}

/** Both tests at once, or undefined when no packet can pass both (one wants a flag set, the other clear). */
export function mergeFlags(a: FlagTest, b: FlagTest): FlagTest | undefined {
  const mask = new Set<TcpFlag>([...a.mask, ...b.mask]);
  const set: TcpFlag[] = [];
  for (const flag of mask) {
    const wants = [a, b].filter((t) => t.mask.includes(flag)).map((t) => t.set.includes(flag));
    if (wants.includes(true) && wants.includes(false)) return undefined;
    if (wants.includes(true)) set.push(flag);
  }
  return sorted([...mask], set);
}

export function flagKey(f: FlagTest): string {
  return `${f.mask.join(',')}/${f.set.join(',')}`;
}

function sorted(mask: readonly TcpFlag[], set: readonly TcpFlag[]): FlagTest {
  const order = (f: readonly TcpFlag[]) => [...f].sort((x, y) => BIT_ORDER.indexOf(x) - BIT_ORDER.indexOf(y));
  return { mask: order(mask), set: order(set) };
}
