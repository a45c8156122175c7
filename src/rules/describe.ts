// The `#` lines both generators put above their rules: what each door does,
// and what the kernel rules leave out. Comments only; every value still goes
// through literals.ts.
import type { OpenPort } from '../config/model.js';
import { formatTcpFlags } from '../config/tcpflags.js';
import { commentText, literalCidr } from './literals.js';
import type { DoorPlan, RulesPlan } from './model.js';

export function ports(list: readonly OpenPort[]): string {
  return list.map((p) => `${p.proto}/${p.port}`).join(', ');
}

export function describeDoor(d: DoorPlan): string[] {
  const flags = d.flags.mask.length > 0 ? ` (TCPFlags ${formatTcpFlags(d.flags.mask.map((flag) => ({ flag, set: d.flags.set.includes(flag) })))})` : '';
  const timing = [`seq_timeout ${d.seqTimeoutS} s`];
  if (d.minGapS > 0 && d.stageWindowS < d.seqTimeoutS) timing.push(`each knock ${d.minGapS} to ${d.stageWindowS} s after the previous one`);
  else if (d.minGapS > 0) timing.push(`each knock at least ${d.minGapS} s after the previous one`);
  else if (d.stageWindowS < d.seqTimeoutS) timing.push(`each knock at most ${d.stageWindowS} s after the previous one`);
  if (d.families.length === 1) timing.push(`IPv${d.families[0]} only`);
  if (d.target) timing.push(`to ${d.target.address}`);
  if (d.allow.length > 0) timing.push(`only from ${d.allow.map(literalCidr).join(', ')}`);
  if (d.allowDuplicates) timing.push('repeats ignored');
  if (d.cooldownS > 0) timing.push(`cooldown ${d.cooldownS} s`);
  if (d.revokes.length > 0) timing.push(`closes ${d.revokes.join(', ')}`);
  return [
    `[${d.name}] (line ${d.line}): ${ports(d.steps)}${flags} opens ${ports(d.open)} for ${d.openTimeoutS} s`,
    `  ${timing.join('; ')}`,
    ...d.notes.map((n) => `  note: ${n}`),
  ].map(commentText);
}

export function notes(plan: RulesPlan): string[] {
  return plan.notes.map((n) => commentText(`Not in the kernel: ${n}.`));
}
