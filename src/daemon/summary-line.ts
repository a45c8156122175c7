// The periodic summary: one line per interval about what was suppressed or
// ignored, instead of a line per packet under a flood.
import type { Counters } from './counters.js';

/** What changed between two counter snapshots, as phrases; empty when nothing worth a line did. */
export function summaryParts(c: Counters, base: Counters, suppressedLines: number): string[] {
  const parts: string[] = [];
  if (suppressedLines > 0) parts.push(`${suppressedLines} log lines suppressed`);
  if (c.failures > base.failures) parts.push(`${c.failures - base.failures} failed attempts (${c.decoyHits - base.decoyHits} on decoys)`);
  if (c.bans > base.bans) parts.push(`${c.bans - base.bans} sources banned`);
  if (c.ignored.banned > base.ignored.banned) parts.push(`${c.ignored.banned - base.ignored.banned} packets from banned sources ignored`);
  if (c.evictions > base.evictions) parts.push(`${c.evictions - base.evictions} attempts evicted (table full)`);
  if (c.spa.packets > base.spa.packets) parts.push(`${c.spa.packets - base.spa.packets} SPA packets (${c.spa.opens - base.spa.opens} accepted)`);
  return parts;
}
