// The fourth probe of the firewall analysis (nftables backend): a connection
// attempt to a protected port from a source that is in Portcullis's ban set
// and still holds a grant. The kernel must drop it: a ban beats a grant
// (DESIGN.md "Bans in the kernel"). In the own table the ban rules follow the
// established accept (nft-bans.ts); integrated, the administrator's chain
// must drop @portcullis_banned4/6 before it accepts @portcullis_grants4/6.
import { banRule } from './deployment.js';
import type { Portcullis } from './deployment.js';
import { pathVerdict, type ChainResult } from './evaluate.js';
import type { Finding } from './findings.js';
import { describe, outcome, subject, undecided, uses, where_, type PortUse } from './ruleset.js';
import { tableName, type Family, type Table } from './rules.js';

/** How nft-bans.ts declares the ban sets, for an administrator's ruleset file. */
function banSetDeclaration(f: Family): string {
  return `set portcullis_banned${f} { type ${f === 4 ? 'ipv4_addr' : 'ipv6_addr'}; flags timeout; size 65536; }`;
}

export function banFinding(p: Portcullis, port: PortUse, f: Family, banned: readonly ChainResult[]): Finding {
  const set = p.banSet(f)!;
  const base = { check: 'ban' as const, subject: subject(port) };
  const v = pathVerdict(banned);
  if (v === 'drop' || v === 'nat') {
    const r = banned.find((x) => x.summary === 'drop' || x.summary === 'nat')!;
    return { ...base, code: 'BANS_DROPPED', status: 'ok', where: where_(r), message: `a banned source is dropped, even with a grant, by ${where_(r)}` }; // no rule text: one line for both families
  }
  if (v === 'depends') return undecided('ban', port, banned, 'whether a banned source is dropped');
  // Our (or the administrator's) chain whose rule let it in: the grant accept, most likely.
  const ours = banned.filter((x) => p.isGrantSet(x.table, p.grantSet(f)) || p.isOwnTable(x.table));
  const r = ours.find((x) => outcome(x, 'accept')?.rule) ?? ours.find((x) => x.chain.base?.hook === 'input') ?? ours[0] ?? banned[0];
  const head = 'a banned source with a grant still gets in';
  if (!p.integrated) {
    const old = r !== undefined && !r.table.sets.has(set);
    return {
      ...base, code: 'OWN_BANS_MISSING', status: 'fail', ...(r && { where: where_(r) }),
      message: `${head}: ${p.label} has no ban rule${old ? ` (no set ${set}: a table from before bans)` : ''}${r ? `; ${describe(r)} accepts it` : ''}`,
      detail: ['the daemon writes `ip saddr @banned4 meta l4proto . th dport @protected drop` right after its established accept when it starts'],
      fix: 'restart the daemon (systemctl restart portcullis), which re-creates its table with the ban rules',
    };
  }
  const table = r ? tableName(r.table) : `${p.deployment.nftTable.family} ${p.deployment.nftTable.name}`;
  const o = r && outcome(r, 'accept');
  const chain = o?.chain ?? r?.chain.name ?? 'input';
  const referenced = r !== undefined && uses(r.table, set);
  const later = referenced ? banRuleRef(r.table, set) : undefined;
  const insert = `nft insert rule ${table} ${chain}${o?.rule ? ` ${o.rule.ref.replace(/^handle /, 'position ')}` : ''} ${banRule(f)}`;
  return {
    ...base, code: referenced ? 'BAN_AFTER_GRANT' : 'BANS_NOT_REFERENCED', status: 'fail', where: `${table} ${chain}`,
    message: referenced
      ? `${head}: ${r ? describe(r) : table} accepts it before the @${set} rule is reached`
      : `${head}: no rule of ${table} drops @${set}${r ? `, and ${describe(r)} accepts it` : ''}`,
    detail: [
      `the drop of @${set} must come before the grant accept: a source banned while its grant lasts is let in otherwise`,
      `the daemon adds the set when it starts; a ruleset file loaded before that declares it: ${banSetDeclaration(f)}`,
    ],
    fix: `${insert} (before the grant accept)${later ? `, and delete the one after it: nft delete rule ${table} ${later.chain} ${later.ref}` : ''}`,
  };
}

/** The first rule of `t` that matches `set`. */
function banRuleRef(t: Table, set: string): { chain: string; ref: string } | undefined {
  for (const c of t.chains.values()) {
    const rule = c.rules.find((x) => x.conds.some((k) => k.kind === 'match' && 'set' in k.values && k.values.set === set));
    if (rule) return { chain: c.name, ref: rule.ref };
  }
  return undefined;
}
