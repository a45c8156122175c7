// Other firewall managers next to Portcullis: ufw, firewalld, Docker, and
// iptables-legacy rules. Pure: what the ruleset shows (their tables and
// chains), what their tools said, and the port findings they cause.
import { ownerOf } from './deployment.js';
import type { Finding } from './findings.js';
import { SEMANTICS } from './ruleset.js';
import { tableName, type Ruleset, type Table } from './rules.js';

/** What a manager's own tool said: not installed, or its state. */
export type ToolState = { readonly installed: false } | { readonly installed: true; readonly active: boolean; readonly text: string };

export interface ManagerFacts {
  /** `ufw status`. */
  readonly ufw?: ToolState;
  /** `firewall-cmd --state`. */
  readonly firewalld?: ToolState;
}

export function managerFindings(rs: Ruleset, facts: ManagerFacts, ports: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  const shadowedIn = (tables: readonly Table[]) => ports.filter((f) => f.code === 'GRANT_SHADOWED' && tables.some((t) => f.where?.startsWith(`${tableName(t)} `)));
  const base = { check: 'managers' as const };

  const managed = (name: 'ufw' | 'firewalld', tables: readonly Table[], state: ToolState | undefined, allow: (port: string) => string, what: string) => {
    if (tables.length === 0 && !(state?.installed && state.active)) {
      if (state?.installed) out.push({ ...base, code: `${name.toUpperCase()}_INACTIVE`, status: 'ok', subject: name, message: `installed but not active (${state.text})` });
      return;
    }
    const hit = shadowedIn(tables);
    const where = tables.map(tableName).join(', ') || 'its own rules';
    out.push({
      ...base, code: `${name.toUpperCase()}_ACTIVE`, status: hit.length > 0 ? 'warn' : 'ok', subject: name,
      message: hit.length > 0
        ? `active (${where}) and ${what} drops ports the doors open: ${[...new Set(hit.map((f) => f.subject))].join(', ')}`
        : `active (${where}); it lets the ports the doors open through, and Portcullis still drops them for sources without a grant`,
      ...(hit.length > 0 && {
        detail: [`${what} drops what it does not allow. ${SEMANTICS} So a grant cannot override it.`],
        fix: [...new Set(hit.map((f) => allow(portProto(f.subject))))].join('; '),
      }),
    });
  };
  const ufwTables = rs.tables.filter((t) => ownerOf(t) === 'ufw');
  managed('ufw', ufwTables, facts.ufw, (p) => `ufw allow ${p}`, "ufw's default deny");
  const fwTables = rs.tables.filter((t) => ownerOf(t) === 'firewalld');
  managed('firewalld', fwTables, facts.firewalld, (p) => `firewall-cmd --permanent --add-port=${p} && firewall-cmd --reload`, "firewalld's zone");

  const docker = rs.tables.filter((t) => [...t.chains.keys()].some((c) => c === 'DOCKER' || c === 'DOCKER-USER'));
  if (docker.length > 0) {
    const forwarded = ports.filter((f) => f.code === 'PORT_FORWARDED');
    out.push({
      ...base, code: 'DOCKER', status: forwarded.length > 0 ? 'warn' : 'ok', subject: 'docker',
      message: forwarded.length > 0
        ? `Docker publishes ports the doors open: ${[...new Set(forwarded.map((f) => f.subject))].join(', ')}`
        : `Docker's chains are present (${docker.map(tableName).join(', ')}); no door's port is published by it`,
      detail: ['ports Docker publishes are DNATed in PREROUTING and go through the forward hook, never input: neither Portcullis nor INPUT rules protect them'],
      fix: 'publish container ports on 127.0.0.1 only (docker run -p 127.0.0.1:HOST:CONTAINER), or drop them in the DOCKER-USER chain',
    });
  }

  const legacy = rs.tables.filter((t) => t.source === 'iptables-legacy' && [...t.chains.values()].some((c) => c.rules.length > 0 || c.base?.policy === 'drop'));
  if (legacy.length > 0) {
    out.push({
      ...base, code: 'IPTABLES_LEGACY', status: 'warn', subject: 'iptables-legacy',
      message: `iptables-legacy rules are loaded (${legacy.map((t) => `${t.family === 'ip6' ? 'ip6tables' : 'iptables'} ${t.name}`).join(', ')}): they run next to nftables and \`nft list ruleset\` does not show them`,
      detail: ['doctor included them above; a drop in either framework wins'],
      fix: 'move them to nftables (iptables-legacy-save | iptables-nft-restore, then flush the legacy tables), so one tool shows every rule',
    });
  }

  if (out.length === 0) out.push({ ...base, code: 'NO_MANAGERS', status: 'ok', subject: 'other firewalls', message: 'no ufw, firewalld, Docker or iptables-legacy rules found' });
  return out;
}

/** `tcp/22 (openSSH)` → `22/tcp`, as ufw and firewall-cmd write ports. */
function portProto(subject: string): string {
  const [proto, port] = (subject.split(' ')[0] ?? '').split('/');
  return `${port}/${proto}`;
}
