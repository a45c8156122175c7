// Whether a packet is a given knock. Pure; runs per packet, so no allocation.
import { TCP_FLAG_BITS, type Door, type Step } from '../config/model.js';
import type { Packet } from '../packet/packet.js';

/** knockd's TCPFlags test: every listed flag set (or clear, with `!`). UDP and ICMP always pass. */
export function flagsMatch(door: Door, packet: Packet): boolean {
  if (packet.proto !== 'tcp') return true;
  for (const rule of door.tcpFlags) {
    const isSet = (packet.tcpFlags & TCP_FLAG_BITS[rule.flag]) !== 0;
    if (isSet !== rule.set) return false;
  }
  return true;
}

/** Whether `haystack` contains `needle` (a knock payload hidden anywhere in the datagram or ping). */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  const n = needle.length;
  if (n === 0) return true;
  const last = haystack.length - n;
  outer: for (let i = 0; i <= last; i++) {
    for (let j = 0; j < n; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Protocol and port of the step, ignoring payload and flags. */
export function samePort(step: Step, packet: Packet): boolean {
  return step.proto === packet.proto && (step.proto === 'icmp' || step.port === packet.dstPort);
}

/** Whether the packet is exactly this step of this door: port, payload and TCP flags. */
export function isStep(door: Door, step: Step, packet: Packet): boolean {
  return samePort(step, packet)
    && (step.payload === undefined || containsBytes(packet.payload, step.payload))
    && flagsMatch(door, packet);
}

/** A number that identifies a (protocol, port) pair, for Set lookups. */
export function portKey(proto: Packet['proto'], port: number): number {
  return (proto === 'tcp' ? 0 : proto === 'udp' ? 1 : 2) * 65536 + (proto === 'icmp' ? 0 : port);
}
