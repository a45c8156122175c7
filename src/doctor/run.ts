// `portcullis doctor`: runs every check and returns the findings, in the
// order they are printed. Every effect goes through DoctorEnv (system-env.ts
// is the real one), so the whole run is unit-tested with a scripted host.
import { dirname, resolve } from 'node:path';
import type { Loaded } from '../cli/config-file.js';
import { resolveControlSocket } from '../control/socket-path.js';
import type { ToolRunner } from '../firewall/tool.js';
import { firewallGrantsPath, grantsPath, resolveStateDir } from '../state/files.js';
import { captureFinding, type CaptureResult } from './capture.js';
import { firewallChecks } from './checks-firewall.js';
import { judgeFile, type FileFacts, type FileToCheck } from './files.js';
import type { Finding } from './findings.js';
import { captureInterfaces, linkFinding, type LinkFacts } from './interfaces.js';

export interface DoctorRequest {
  readonly configPath: string;
  /** -i values (may be comma-separated); empty: as serve picks them. */
  readonly interfaces: readonly string[];
  readonly stateDir?: string;
  readonly controlSocket?: string;
  /** How long to wait for a packet on each interface (default 3 s). */
  readonly captureMs?: number;
}

export type DaemonState =
  | { readonly running: true; readonly pid: number; readonly config: string }
  | { readonly running: false }
  | { readonly running: undefined; readonly why: string };

export interface DoctorEnv {
  readonly runner: ToolRunner;
  readonly uid: number;
  /** The uid of the packaged unit's user `portcullis` (contrib/portcullis.service), if there is one. */
  serviceUid?(): number | undefined;
  readonly processEnv: NodeJS.ProcessEnv;
  load(path: string): Loaded;
  link(iface: string): LinkFacts;
  links(): string[];
  defaultRoute(): string | undefined;
  canCapture(): boolean;
  capture(iface: string, ms: number): Promise<CaptureResult>;
  /** The host's addresses on these interfaces (`any`: all). */
  addresses(ifaces: readonly string[]): string[];
  stat(path: string): FileFacts;
  daemon(socket: string): Promise<DaemonState>;
}

export async function runDoctor(req: DoctorRequest, env: DoctorEnv): Promise<Finding[]> {
  const path = resolve(req.configPath);
  const loaded = env.load(path);
  if (!loaded.ok) {
    return [{
      check: 'config', code: 'CONFIG_INVALID', status: 'fail', subject: path,
      message: `${loaded.messages.length} error(s); serve would not start`, detail: loaded.messages,
      fix: `correct the lines above (portcullis check -c ${path} shows them too)`,
    }];
  }
  const { config } = loaded;
  const out: Finding[] = [{ check: 'config', code: 'CONFIG_VALID', status: 'ok', subject: path, message: `valid, ${config.doors.length} door(s)` }];

  const ifaces = captureInterfaces(req.interfaces, config.options.interfaces, env.defaultRoute());
  const links = ifaces.map((i) => ({ iface: i, link: env.link(i) }));
  const allowed = env.canCapture();
  // Captures run while the firewall is being read: the wait is the slow part.
  const captures = Promise.all(links.map(({ iface, link }) => (iface !== 'any' && !link.exists ? undefined
    : allowed ? env.capture(iface, req.captureMs ?? 3000) : Promise.resolve<CaptureResult>({ kind: 'denied' }))));

  const socket = resolveControlSocket(req.controlSocket, config.options.controlSocket, env.processEnv);
  const daemon = await env.daemon(socket);
  const single = ifaces.length === 1 && ifaces[0] !== 'any' ? ifaces[0] : undefined;
  const firewall = await firewallChecks(config, env.runner, daemon.running, { ...(single && { iface: single }), daddrs: env.addresses(ifaces) });

  const known = env.links();
  const captured = await captures;
  links.forEach(({ iface, link }, n) => {
    out.push(linkFinding(iface, link, known));
    const c = captured[n];
    if (c) out.push(captureFinding(iface, c));
  });
  out.push(daemonFinding(daemon, socket, path));
  out.push(...firewall);

  const stateDir = resolveStateDir(req.stateDir, config.options.stateDir, env.processEnv);
  const files: FileToCheck[] = [
    { path, role: 'config', facts: env.stat(path) },
    ...config.doors.flatMap((d) => (d.oneTimeSequences ? [resolve(dirname(path), d.oneTimeSequences)] : []))
      .filter((p, i, all) => all.indexOf(p) === i)
      .map((p): FileToCheck => ({ path: p, role: 'one-time sequences', facts: env.stat(p) })),
    { path: stateDir, role: 'state directory', facts: env.stat(stateDir) },
    ...[grantsPath(stateDir), firewallGrantsPath(stateDir)]
      .map((p): FileToCheck => ({ path: p, role: 'state file', facts: env.stat(p) }))
      .filter((f) => f.facts.kind !== 'missing'),
  ];
  const service = env.serviceUid?.();
  out.push(...files.map((f) => judgeFile(f, env.uid, service)));
  return out;
}

function daemonFinding(d: DaemonState, socket: string, path: string): Finding {
  const base = { check: 'daemon' as const, subject: socket };
  if (d.running === true) {
    return d.config === path
      ? { ...base, code: 'DAEMON_RUNNING', status: 'ok', message: `running (pid ${d.pid}, this config)` }
      : { ...base, code: 'DAEMON_OTHER_CONFIG', status: 'warn', message: `running (pid ${d.pid}) with another config: ${d.config}`, fix: `restart it with -c ${path}, or run doctor with -c ${d.config}` };
  }
  if (d.running === false) return { ...base, code: 'DAEMON_NOT_RUNNING', status: 'ok', message: 'not running (nothing answers on its control socket)' };
  return { ...base, code: 'DAEMON_UNKNOWN', status: 'warn', message: `cannot tell whether it runs: ${d.why}`, fix: 'run doctor as root, with the same ControlSocket as serve' };
}
