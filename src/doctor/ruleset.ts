// The firewall analysis of `portcullis doctor`, pure: the live ruleset (nft
// JSON, plus iptables-save text for the tables iptables manages) and the ports
// the doors open in, findings out. For each port and address family, four
// probes go through every base chain on the way in (evaluate.ts):
//
//   a connection attempt from a source without a grant  → must be dropped (protect)
//   the same from a source Portcullis granted           → must get in (grant)
//   a packet of an established connection, grant closed → should get in (established)
//   the granted attempt from a source also banned       → must be dropped (ban, nftables; ban.ts)
import { hookPath, pathVerdict, type ChainResult, type Outcome, type Probe } from './evaluate.js';
import { acceptFix, establishedFix, grantRule, ownerOf, portcullis, type Deployment, type Portcullis } from './deployment.js';
import type { Finding } from './findings.js';
import { parseNftRuleset } from './from-nft.js';
import { parseIptablesSave } from './from-iptables.js';
import { banFinding } from './ban.js';
import { tableName, type Family, type Ruleset, type Table } from './rules.js';

export interface PortUse {
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
  /** The doors whose `open` names it. */
  readonly doors: readonly string[];
}

/** Where packets arrive: the capture interface and its addresses. */
export interface Where {
  readonly iface?: string;
  readonly daddrs?: readonly string[];
}

export interface RulesetInput {
  /** `nft -j list ruleset`; undefined when nft does not work here. */
  readonly nftJson?: string;
  /** `iptables-nft-save` / `ip6tables-nft-save`: the tables whose JSON has opaque xt matches. */
  readonly iptablesNft?: Partial<Record<Family, string>>;
  /** `iptables-legacy-save` / `ip6tables-legacy-save`: rules nft cannot see. */
  readonly iptablesLegacy?: Partial<Record<Family, string>>;
}

export const SEMANTICS = 'nftables runs every base chain on the input hook: a drop in any of them is final, an accept only ends the chain it is in.';

export function buildRuleset(input: RulesetInput): Ruleset {
  const xt = ([4, 6] as const).flatMap((f) => parseIptablesSave(input.iptablesNft?.[f] ?? '', f, 'iptables-nft'));
  const legacy = ([4, 6] as const).flatMap((f) => parseIptablesSave(input.iptablesLegacy?.[f] ?? '', f, 'iptables-legacy'));
  const nft = input.nftJson === undefined ? xt : parseNftRuleset(input.nftJson).map((t) => {
    // iptables-save shows what the JSON hides behind xt expressions.
    if (!t.opaque) return t;
    return xt.find((x) => x.family === t.family && x.name === t.name) ?? t;
  });
  return { tables: [...nft, ...legacy] };
}

export function analyseRuleset(input: RulesetInput, d: Deployment, ports: readonly PortUse[], where: Where = {}): Finding[] {
  return analysePorts(buildRuleset(input), d, ports, where);
}

export function analysePorts(rs: Ruleset, d: Deployment, ports: readonly PortUse[], where: Where = {}): Finding[] {
  const p = portcullis(d);
  const t = d.nftTable;
  const fams: Family[] = p.integrated && t.family !== 'inet' ? [t.family === 'ip' ? 4 : 6] : [4, 6];
  const order = ['protect', 'grant', 'established', 'ban'];
  return ports.flatMap((port) => mergeFamilies(fams.map((f) => ({ f, findings: analyseOne(rs, p, port, f, where) })))
    .sort((a, b) => order.indexOf(a.check) - order.indexOf(b.check)));
}

function analyseOne(rs: Ruleset, p: Portcullis, port: PortUse, f: Family, where: Where): Finding[] {
  const probe = (ct: Probe['ct'], granted: boolean): Probe => ({ family: f, proto: port.proto, port: port.port, ct, granted, ...where });
  const world = hookPath(rs, probe('new', false), p);
  const granted = hookPath(rs, probe('new', true), p);
  const established = hookPath(rs, probe('established', false), p);
  const out = [protect(rs, p, port, f, world)];
  if (pathVerdict(world) === 'nat') return out;
  const shadows = granted.filter((r) => r.summary === 'drop' && !isOwn(p, r));
  out.push(...grant(p, port, f, granted, shadows));
  const cut = established.filter((r) => r.summary === 'drop' && !shadows.some((s) => s.chain === r.chain && s.table === r.table));
  out.push(...cut.map((r): Finding => ({
    check: 'established', code: 'NO_ESTABLISHED', status: 'warn', subject: subject(port),
    message: `connections it lets in are cut when their grant closes: ${describe(r)} drops packets of established connections`,
    detail: ['a grant lets new connections in; once it closes, their packets must still pass every chain, which takes `ct state established,related accept` before the drop'],
    fix: establishedFix(r.table, r.chain.name), where: where_(r),
  })));
  if (cut.length === 0) {
    out.push({ check: 'established', code: 'ESTABLISHED_OK', status: 'ok', subject: subject(port), message: 'connections it lets in outlive their grant (established packets pass every chain)' });
  }
  // Bans matter only where a grant gets in (else the banned source is dropped with it), and only
  // with a kernel ban set whose table is there.
  if (p.banSet(f) !== undefined && pathVerdict(granted) === 'accept' && (p.integrated || p.present(rs, f))) {
    out.push(banFinding(p, port, f, hookPath(rs, { ...probe('new', true), banned: true }, p)));
  }
  return out;
}

function protect(rs: Ruleset, p: Portcullis, port: PortUse, f: Family, world: readonly ChainResult[]): Finding {
  const base = { check: 'protect' as const, subject: subject(port) };
  const v = pathVerdict(world);
  const dropping = world.find((r) => r.summary === 'drop');
  if (v === 'nat') {
    const r = world.find((x) => x.summary === 'nat')!;
    return {
      ...base, code: 'PORT_FORWARDED', status: 'fail', where: where_(r),
      message: `open to every source: ${describe(r)} sends it elsewhere before the input hook, where no Portcullis rule sees it`,
      detail: ['DNATed packets go through the forward hook, not input (Docker publishes container ports this way)'],
      fix: 'do not publish the port on public addresses (docker run -p 127.0.0.1:PORT:PORT), or filter it in the DOCKER-USER chain',
    };
  }
  if (!p.integrated && !p.present(rs, f)) {
    const meanwhile = dropping ? `for now ${describe(dropping)} drops it for everyone` : 'for now it is open to everyone';
    if (p.deployment.daemonRunning) {
      return {
        ...base, code: 'OWN_RULES_MISSING', status: 'fail',
        message: `the daemon runs but Portcullis's ${p.label} is gone; ${meanwhile}`,
        detail: ['something removed it after the daemon started: `nft flush ruleset` (as in /etc/nftables.conf when nftables.service restarts), `iptables -F`, a firewall manager reloading'],
        fix: 'restart the daemon (systemctl restart portcullis) to re-create it, and make the reload that removed it delete only its own tables',
      };
    }
    return {
      ...base, code: 'NOT_PROTECTED_YET', status: 'warn',
      message: `Portcullis's ${p.label} is not there (the daemon is not running), so nothing of Portcullis protects it until serve starts; ${meanwhile}`,
      fix: 'start the daemon: portcullis serve -c FILE (or systemctl start portcullis)',
    };
  }
  if (!p.integrated && !world.some((r) => r.summary === 'drop' && isOwn(p, r))) {
    // iptables: an ACCEPT above the jump to Portcullis's chain, in the same chain, wins.
    const before = world.find((r) => r.summary === 'accept' && r.outcomes.some((o) => o.rule) && [...r.table.chains.keys()].some((c) => p.isOwnChain(r.table, c)));
    return {
      ...base, code: 'NOT_IN_PROTECTED', status: 'fail',
      message: `Portcullis's ${p.label} is there but does not drop it${dropping ? ` (${describe(dropping)} does)` : before ? `: ${describe(before)} accepts it before its chain is reached` : '; it is open to everyone'}`,
      detail: ['it drops the `open` ports of the config the daemon was started with; another config, or an INPUT chain that no longer jumps to it, leaves this port out'],
      fix: 'restart the daemon with this config (systemctl restart portcullis), which re-creates its rules',
    };
  }
  if (v === 'drop') {
    const accepting = world.filter((r) => r.summary === 'accept' && !isOwn(p, r) && r.outcomes.some((o) => o.rule));
    return {
      ...base, code: 'PORT_PROTECTED', status: 'ok', where: where_(dropping!),
      message: `closed to sources without a grant: ${describe(dropping!)}`,
      ...(accepting.length > 0 && !p.integrated && {
        detail: [...accepting.map((r) => `${describe(r)} accepts it for every source, which does not open it:`), SEMANTICS],
      }),
    };
  }
  if (v === 'depends') return undecided('protect', port, world, 'whether sources without a grant are dropped');
  const admin = world.find((r) => p.isGrantSet(r.table, p.grantSet(f))) ?? world[0];
  const o = admin && outcome(admin, 'accept');
  const chain = admin ? `${tableName(admin.table)} ${admin.chain.name}` : `${p.deployment.nftTable.family} ${p.deployment.nftTable.name} input`;
  return {
    ...base, code: 'OPEN_TO_ALL', status: 'fail', ...(admin && { where: where_(admin) }),
    message: `open to every source: nothing on the input hook drops it${admin ? `; ${describe(admin)} accepts it` : ''}`,
    detail: ['in the integrated deployment your chain decides: it must accept the grant set, then drop the port for everyone else'],
    fix: o?.rule && admin
      ? `delete that rule (nft delete rule ${tableName(admin.table)} ${o.chain} ${o.rule.ref}), or move it after the grant-set rules and a drop of ${port.proto}/${port.port}`
      : `nft add rule ${chain} ${port.proto} dport ${port.port} drop (after the grant-set rules), or set the chain's policy to drop`,
  };
}

function grant(p: Portcullis, port: PortUse, f: Family, granted: readonly ChainResult[], shadows: readonly ChainResult[]): Finding[] {
  const base = { check: 'grant' as const, subject: subject(port) };
  if (shadows.length === 0) {
    if (pathVerdict(granted.filter((r) => !isOwn(p, r))) === 'depends') return [undecided('grant', port, granted, 'whether a granted source gets in')];
    const admin = p.integrated ? granted.find((r) => p.isGrantSet(r.table, p.grantSet(f))) : undefined;
    return [{
      ...base, code: 'GRANT_OPENS', status: 'ok',
      message: admin ? `a knock opens it: ${tableName(admin.table)} ${admin.chain.name} accepts Portcullis's grant set` : 'a knock opens it: no other chain on the input hook drops it',
    }];
  }
  return shadows.map((r): Finding => {
    const set = p.grantSet(f);
    if (p.integrated && p.isGrantSet(r.table, set)) {
      const referenced = uses(r.table, set);
      return {
        ...base, code: referenced ? 'GRANT_SHADOWED' : 'GRANTS_NOT_REFERENCED', status: 'fail', where: where_(r),
        message: referenced
          ? `a knock would open nothing: ${describe(r)} drops it before the @${set} rule is reached`
          : `a knock would open nothing: no rule of ${tableName(r.table)} uses @${set}, so the knocker added to it is still dropped by ${describe(r)}`,
        fix: `nft insert rule ${tableName(r.table)} ${r.chain.name} ${grantRule(f)}`,
      };
    }
    const integrate = ownerOf(r.table) === 'nft' && !p.integrated
      ? `; or use the integrated deployment: nft_table = ${tableName(r.table)}, and \`${grantRule(4)}\` and \`${grantRule(6)}\` in that chain before its drop`
      : '';
    return {
      ...base, code: 'GRANT_SHADOWED', status: 'fail', where: where_(r),
      message: `a knock would open nothing: ${describe(r)} drops it, also for a source with a grant`,
      detail: [SEMANTICS, "So Portcullis's accept cannot override that drop; the chain must accept the port itself."],
      fix: `${acceptFix(r.table, r.chain.name, port.proto, port.port)}${p.integrated ? '' : " (Portcullis's own rules still drop it for everyone without a grant)"}${integrate}`,
    };
  });
}

export function undecided(check: 'protect' | 'grant' | 'ban', port: PortUse, results: readonly ChainResult[], what: string): Finding {
  const rules = [...new Set(results.flatMap((r) => r.outcomes.flatMap((o) => o.assumed.map((x) => `${tableName(r.table)} ${o.chain}: ${x.text}`))))];
  return {
    check, code: 'UNDECIDED', status: 'warn', subject: subject(port),
    message: `doctor cannot tell ${what}: it depends on conditions it cannot evaluate`,
    detail: rules.slice(0, 5),
    fix: 'check these rules by hand (nft -a list ruleset), or test with a knock from outside',
  };
}

/** Decided in Portcullis's own chains (its drop of protected ports, its accept of grants). */
function isOwn(p: Portcullis, r: ChainResult): boolean {
  return r.outcomes.every((o) => p.isOwnChain(r.table, o.chain));
}

export function uses(t: Table, set: string): boolean {
  return [...t.chains.values()].some((c) => c.rules.some((r) => r.conds.some((x) => x.kind === 'match' && 'set' in x.values && x.values.set === set)));
}

export function outcome(r: ChainResult, kind: 'accept' | 'drop'): Outcome | undefined {
  return r.outcomes.find((o) => (kind === 'drop' ? o.verdict === 'drop' || o.verdict === 'reject' : o.verdict === kind || o.verdict === 'nat'));
}

/** `inet filter input: tcp dport 22 drop` or `ip filter INPUT: policy drop`. */
export function describe(r: ChainResult): string {
  const o = outcome(r, r.summary === 'accept' || r.summary === 'nat' ? 'accept' : 'drop') ?? r.outcomes[0];
  const head = `${tableName(r.table)} ${r.chain.name}`;
  if (!o?.rule) return `${head} (policy ${r.chain.base?.policy ?? 'accept'})`;
  return `${head} (${o.chain === r.chain.name ? '' : `in chain ${o.chain}: `}${o.rule.text})`;
}

export function where_(r: ChainResult): string {
  return `${tableName(r.table)} ${r.chain.name}`;
}

export function subject(port: PortUse): string {
  return `${port.proto}/${port.port} (${port.doors.join(', ')})`;
}

/** One finding when both families agree, else one per family, marked. */
function mergeFamilies(per: readonly { f: Family; findings: readonly Finding[] }[]): Finding[] {
  const key = (x: Finding) => JSON.stringify([x.check, x.code, x.status, x.message, x.fix, x.where]);
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const { f, findings } of per) {
    for (const x of findings) {
      const k = key(x);
      const everywhere = per.every((o) => o.findings.some((y) => key(y) === k));
      if (everywhere && seen.has(k)) continue;
      seen.add(k);
      out.push(everywhere || per.length === 1 ? x : { ...x, subject: `${x.subject} IPv${f}` });
    }
  }
  return out;
}
