// Checks 3, 4, 5 and 6: which backend serve would use and whether its
// read-only probes work, then the live ruleset read through the ToolRunner
// and handed to the pure analysis (ruleset.ts, managers.ts).
import type { Config } from '../config/model.js';
import { detectBackend } from '../firewall/select.js';
import { describeFailure, type ToolResult, type ToolRunner } from '../firewall/tool.js';
import type { Deployment } from './deployment.js';
import type { Finding } from './findings.js';
import { managerFindings, type ManagerFacts, type ToolState } from './managers.js';
import { analysePorts, buildRuleset, type PortUse, type RulesetInput, type Where } from './ruleset.js';

type Native = 'nftables' | 'iptables' | 'ipset' | 'firewalld';

const PROBES: Record<Native, readonly (readonly [string, readonly string[]])[]> = {
  nftables: [['nft', ['list', 'tables']]],
  iptables: [['iptables', ['-w', '-S', 'INPUT']], ['ip6tables', ['-w', '-S', 'INPUT']]],
  ipset: [['ipset', ['list', '-n']], ['iptables', ['-w', '-S', 'INPUT']], ['ip6tables', ['-w', '-S', 'INPUT']]],
  firewalld: [['firewall-cmd', ['--state']]],
};

const PACKAGES: Record<string, string> = { nft: 'nftables', iptables: 'iptables', ip6tables: 'iptables', ipset: 'ipset', 'firewall-cmd': 'firewalld' };

/** The ports the doors open, each with the doors that open it. */
export function portsOf(config: Config): PortUse[] {
  const byKey = new Map<string, { proto: 'tcp' | 'udp'; port: number; doors: string[] }>();
  for (const d of config.doors) {
    for (const o of d.open) {
      const k = `${o.proto}/${o.port}`;
      const e = byKey.get(k) ?? { proto: o.proto, port: o.port, doors: [] };
      if (!e.doors.includes(d.name)) e.doors.push(d.name);
      byKey.set(k, e);
    }
  }
  return [...byKey.values()];
}

export async function firewallChecks(config: Config, runner: ToolRunner, daemonRunning: boolean | undefined, where: Where): Promise<Finding[]> {
  const out: Finding[] = [];
  const ports = portsOf(config);
  const usesBackend = config.doors.some((d) => d.open.length > 0 || d.forwards.length > 0);
  const base = { check: 'backend' as const };
  let choice: Native | undefined;
  // detectBackend's probe that succeeded need not run twice.
  const done = new Set<string>();
  if (!usesBackend) {
    out.push({ ...base, code: 'NO_BACKEND_NEEDED', status: 'ok', subject: 'firewall', message: 'no door opens ports through a firewall backend (their start/stop commands do); serve leaves the firewall alone' });
  } else if (config.options.firewall === undefined) {
    try {
      const d = await detectBackend(runner);
      choice = d.choice;
      done.add(d.choice === 'nftables' ? 'nft list tables' : 'iptables -w -S INPUT');
      out.push({ ...base, code: 'BACKEND_CHOSEN', status: 'ok', subject: choice, message: `serve would use it: ${d.why} (set firewall = in [options] to choose)` });
    } catch (err) {
      out.push({ ...base, code: 'BACKEND_UNAVAILABLE', status: 'fail', subject: 'firewall', message: (err as Error).message, fix: 'install nftables (apt-get install nftables) and run as root' });
    }
  } else if (config.options.firewall !== 'command') {
    choice = config.options.firewall;
    out.push({ ...base, code: 'BACKEND_CONFIGURED', status: 'ok', subject: choice, message: `serve uses it (firewall = ${choice})` });
  }
  let probesOk = choice !== undefined;
  for (const [file, args] of choice ? PROBES[choice] : []) {
    if (done.has([file, ...args].join(' '))) continue;
    const r = await runner.run(file, args);
    if (r.code === 0 && r.error === undefined) continue;
    probesOk = false;
    out.push({
      ...base, code: 'BACKEND_PROBE_FAILED', status: 'fail', subject: choice!, message: `\`${[file, ...args].join(' ')}\` fails: ${describeFailure(file, r)}`,
      fix: r.error?.startsWith('cannot run') ? `apt-get install ${PACKAGES[file] ?? file}` : 'run as root (it needs CAP_NET_ADMIN)',
    });
  }
  if (probesOk && choice) out.push({ ...base, code: 'BACKEND_WORKS', status: 'ok', subject: choice, message: `its read-only probes work (${PROBES[choice].map(([f, a]) => [f, ...a].join(' ')).join('; ')})` });

  const input = await readRuleset(runner);
  if (input === undefined) {
    if (usesBackend) out.push({ check: 'protect', code: 'RULESET_UNREADABLE', status: 'fail', subject: 'ruleset', message: 'cannot read the firewall ruleset (neither nft nor iptables-save works)', fix: 'run doctor as root' });
    return out;
  }
  let rs;
  try {
    rs = buildRuleset(input);
  } catch (err) {
    out.push({ check: 'protect', code: 'RULESET_UNREADABLE', status: usesBackend ? 'fail' : 'warn', subject: 'ruleset', message: (err as Error).message, fix: 'run `nft -j list ruleset` by hand to see what it prints' });
    return out;
  }
  let portFindings: Finding[] = [];
  if (choice === 'firewalld') {
    out.push({ check: 'protect', code: 'NOT_ANALYSED', status: 'warn', subject: 'firewalld', message: 'doctor analyses the nftables, iptables and ipset backends; with firewall = firewalld, check the doors with a knock', fix: 'knock from a client and connect' });
  } else if (choice && ports.length > 0) {
    const deployment: Deployment = { backend: choice, nftTable: config.options.nftTable, daemonRunning };
    portFindings = analysePorts(rs, deployment, ports, where);
    out.push(...portFindings);
  }
  out.push(...managerFindings(rs, await managerFacts(runner), portFindings));
  return out;
}

const ok = (r: ToolResult) => r.code === 0 && r.error === undefined;

async function readRuleset(runner: ToolRunner): Promise<RulesetInput | undefined> {
  const nft = await runner.run('nft', ['-j', 'list', 'ruleset']);
  const save = async (tools: readonly string[]) => {
    for (const t of tools) {
      const r = await runner.run(t, []);
      if (ok(r)) return r.stdout;
    }
    return undefined;
  };
  const legacy = { 4: await save(['iptables-legacy-save']), 6: await save(['ip6tables-legacy-save']) };
  if (!ok(nft)) {
    // No nft: whatever iptables-save shows is all there is.
    const v4 = await save(['iptables-save']);
    const v6 = await save(['ip6tables-save']);
    return v4 === undefined && v6 === undefined ? undefined : { iptablesNft: { 4: v4 ?? '', 6: v6 ?? '' } };
  }
  const opaque = nft.stdout.includes('"xt"');
  return {
    nftJson: nft.stdout,
    ...(opaque && { iptablesNft: { 4: (await save(['iptables-nft-save', 'iptables-save'])) ?? '', 6: (await save(['ip6tables-nft-save', 'ip6tables-save'])) ?? '' } }),
    iptablesLegacy: { 4: legacy[4] ?? '', 6: legacy[6] ?? '' },
  };
}

async function managerFacts(runner: ToolRunner): Promise<ManagerFacts> {
  const state = async (file: string, args: string[], active: (r: ToolResult) => boolean): Promise<ToolState> => {
    const r = await runner.run(file, args);
    if (r.error?.startsWith('cannot run')) return { installed: false };
    return { installed: true, active: active(r), text: (r.stdout.trim() || r.stderr.trim()).split('\n')[0] ?? '' };
  };
  return {
    ufw: await state('ufw', ['status'], (r) => /^Status: active/m.test(r.stdout)),
    firewalld: await state('firewall-cmd', ['--state'], (r) => r.code === 0 && /running/.test(r.stdout) && !/not running/.test(r.stdout)),
  };
}
