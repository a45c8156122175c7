// What resets a door's attempt in the kernel rules, as in the daemon with
// Decoys = off or a list: a knock on any door's step port that is not this
// door's next step (TCP knocks only with this door's TCPFlags and the flags of
// the door the port belongs to: knockd ignores a knock port hit with other
// flags), and a hit on a listed decoy port (a TCP segment without ACK, or a
// datagram). ICMP and payload steps are left out: the rules cannot tell a
// knock there from an ordinary ping or datagram.
import type { Config, Door, PortRange } from '../config/model.js';
import { ANY_FLAGS, flagKey, flagTest, mergeFlags, type FlagTest } from './flags.js';
import type { Proto } from './model.js';

export interface ResetMatch {
  readonly proto: Proto;
  /** Sorted, not overlapping. */
  readonly ports: readonly PortRange[];
  /** For TCP; an empty mask fits any packet. */
  readonly flags: FlagTest;
}

const NO_ACK: FlagTest = { mask: ['ack'], set: [] };

export function resetMatches(door: Door, config: Config): ResetMatch[] {
  const own = flagTest(door);
  const tcp = new Map<string, { flags: FlagTest; ports: PortRange[] }>();
  const udp: PortRange[] = [];
  for (const other of config.doors) {
    const flags = mergeFlags(own, flagTest(other));
    for (const step of other.sequence) {
      if (step.payload !== undefined || step.proto === 'icmp') continue;
      if (step.proto === 'udp') udp.push({ from: step.port, to: step.port });
      else if (flags) {
        const key = flagKey(flags);
        const group = tcp.get(key) ?? { flags, ports: [] };
        group.ports.push({ from: step.port, to: step.port });
        tcp.set(key, group);
      }
    }
  }
  const out: ResetMatch[] = [...tcp.values()].map((g) => ({ proto: 'tcp' as const, ports: mergeRanges(g.ports), flags: g.flags }));
  if (udp.length > 0) out.push({ proto: 'udp', ports: mergeRanges(udp), flags: ANY_FLAGS });
  const decoys = config.options.decoys;
  if (decoys.mode === 'ports') {
    if (decoys.tcp.length > 0) out.push({ proto: 'tcp', ports: mergeRanges(decoys.tcp), flags: NO_ACK });
    if (decoys.udp.length > 0) out.push({ proto: 'udp', ports: mergeRanges(decoys.udp), flags: ANY_FLAGS });
  }
  return out;
}

export function mergeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) out[out.length - 1] = { from: last.from, to: Math.max(last.to, r.to) };
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}
