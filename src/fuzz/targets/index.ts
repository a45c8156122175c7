// Every fuzz target, by name. `--target spa` selects every spa-* target.
import type { Target } from '../target.js';
import { accessTarget } from './access.js';
import { configTarget } from './config.js';
import { controlTarget } from './control.js';
import { frameTarget } from './frame.js';
import { spaEncodeTarget } from './spa-encode.js';
import { spaFieldsTarget } from './spa-fields.js';
import { spaPacketTarget } from './spa-packet.js';

export const TARGETS: readonly Target[] = [frameTarget, spaPacketTarget, spaFieldsTarget, spaEncodeTarget, configTarget, accessTarget, controlTarget];

/** The targets a name selects: an exact name, or a prefix before "-" (spa → spa-packet, spa-fields, spa-encode). */
export function selectTargets(names: readonly string[]): Target[] | string {
  if (names.length === 0) return [...TARGETS];
  const out: Target[] = [];
  for (const n of names) {
    const hit = TARGETS.filter((t) => t.name === n || t.name.startsWith(`${n}-`));
    if (hit.length === 0) return `unknown target "${n}"; expected one of ${TARGETS.map((t) => t.name).join(', ')} (or spa for all spa-*)`;
    for (const t of hit) if (!out.includes(t)) out.push(t);
  }
  return out;
}

export function targetNamed(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
