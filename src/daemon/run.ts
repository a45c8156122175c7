// Production wiring for `portcullis serve`: real capture, commands, files,
// clock, logging and signals around the Daemon.
import { CommandGrants } from '../actions/grants.js';
import { ShellRunner } from '../actions/runner.js';
import { PcapCaptureSource } from '../capture/pcap.js';
import type { Config } from '../config/model.js';
import { createLogger, type LoggerOptions } from '../log/create-logger.js';
import { newOpenLatency } from '../metrics/daemon-metrics.js';
import { observabilityNeedsRestart, serveMetrics } from '../metrics/serve-metrics.js';
import { VERSION } from '../cli/help/reference.js';
import { NodeFileStore } from '../state/atomic-file.js';
import { ensureStateDir, firewallGrantsPath, grantsPath, resolveStateDir } from '../state/files.js';
import { CombinedActions } from '../grants/door-actions.js';
import { FirewallGrants } from '../grants/firewall-grants.js';
import { createBackend } from '../firewall/select.js';
import { ExecToolRunner } from '../firewall/tool.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import { systemClock } from '../util/clock.js';
import { loadConfigFile } from '../cli/config-file.js';
import { removePidFile, writePidFile } from './pidfile.js';
import { Daemon } from './daemon.js';
import { filterForHost } from './capture-filter.js';
import { SystemHostView } from './system-host.js';
import { oneTimeAdvancer } from './one-time.js';
import { grantHolders, startControl } from './control-handler.js';
import type { GrantControl, ReloadOutcome } from '../control/types.js';
import { ReplayStore, spaReplayPath } from '../spa-server/replay-cache.js';
import { NodeSpaSockets } from '../spa-server/sockets.js';
import { SecretSequences, secretSequencesPath } from './secret-sequences.js';
import { SpaCommands } from '../spa-server/command-exec.js';
import { GetentLookup } from '../spa-server/command-identity.js';
import { isBanStore } from '../bans/kernel-queue.js';

export interface ServeOptions {
  readonly configPath: string;
  readonly config: Config;
  readonly interfaces: readonly string[];
  readonly ipv4Only: boolean;
  readonly verbose: boolean;
  readonly debug: boolean;
  readonly logFile: string | undefined;
  readonly logFormat: 'text' | 'json';
  readonly stateDir: string | undefined;
  readonly pidFile: string | undefined;
  readonly stderr: boolean;
  readonly lookup: boolean;
  /** `--control-socket`; else ControlSocket, else the default (src/control/socket-path.ts). */
  readonly controlSocket?: string;
  /** `--fwknop-access FILE`: fwknop access.conf stanzas served as SPA doors (re-read on reload). */
  readonly fwknopAccess?: string | undefined;
}


/** Runs the daemon until SIGTERM/SIGINT; resolves with the exit status. */
export async function startDaemon(o: ServeOptions): Promise<number> {
  const log = createLogger({
    stderr: o.stderr,
    logFile: o.logFile,
    syslog: o.config.options.useSyslog,
    format: o.logFormat,
    // syslog_remote: security events to a collector (read at start; a change needs a restart).
    ...remoteSyslogOption(o.config.options),
    verbose: true,
    debug: o.debug || o.verbose,
  });
  if (o.lookup) log.warn('-l/--lookup is accepted but ignored: Portcullis never does DNS lookups in the packet path');
  const files = new NodeFileStore();
  const startedAtMs = systemClock.now();
  const openLatency = newOpenLatency();
  const stateDir = resolveStateDir(o.stateDir, o.config.options.stateDir);
  // Signal handlers go in before anything else, so a SIGHUP or SIGTERM that
  // arrives while the capture is being set up (or right after the ready line)
  // is acted on once the daemon runs, instead of killing it with the default action.
  const signals = new SignalQueue();
  let daemon: Daemon | undefined;
  let grants: GrantControl[] = [];
  let firewallNow: () => FirewallGrants | undefined = () => undefined;
  // SPA command messages (enable_cmd_exec): users and groups resolved before anything is touched.
  const spaCommands = new SpaCommands({ runner: new ShellRunner(), lookup: new GetentLookup(), log, clock: systemClock });
  try {
    const unresolved = spaCommands.prepare(o.config);
    if (unresolved.length > 0) throw new Error(unresolved.join('\n'));
    ensureStateDir(stateDir);
    const commands = new CommandGrants({
      runner: new ShellRunner(),
      clock: systemClock,
      store: files,
      statePath: grantsPath(stateDir),
      log,
      onStarted: (kind, s) => openLatency.observe(s, { kind, via: 'command' }),
    });
    const actions = new CombinedActions(commands, () => firewallGrants(o.config.options, stateDir, files, log, (kind, s) => openLatency.observe(s, { kind, via: 'firewall' })), log);
    grants = grantHolders(commands, () => actions.firewall);
    firewallNow = () => actions.firewall;
    daemon = new Daemon(o.config, { interfaces: o.interfaces, ipv4Only: o.ipv4Only }, {
      capture: new PcapCaptureSource(),
      actions,
      host: new SystemHostView(),
      clock: systemClock,
      log,
      buildFilter: filterForHost,
      advanceOneTime: oneTimeAdvancer(files, log),
      // sequence_secret doors: their used windows in the state directory.
      secretSequences: new SecretSequences({ store: files, path: secretSequencesPath(stateDir), log }),
      // SPA doors: the replay cache in the state directory, real sockets for spa_listen = socket.
      spa: { replay: new ReplayStore({ store: files, path: spaReplayPath(stateDir), log }), sockets: new NodeSpaSockets(), commands: spaCommands },
      // Bans in the kernel too, when the backend keeps them (nftables): src/bans/.
      banStore: () => { const b = actions.firewall?.backend; return isBanStore(b) ? { store: b, backend: b.name } : undefined; },
    });
    await daemon.start();
    if (o.pidFile) writePidFile(o.pidFile, process.pid);
  } catch (err) {
    signals.detach();
    log.error(`cannot start: ${(err as Error).message}`, ev('daemon.error', { error: (err as Error).message }));
    await daemon?.stop().catch(() => undefined);
    await log.close();
    return 1;
  }

  const running = daemon;
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`received ${signal}`, ev('daemon.signal', { signal }));
      await control.close();
      await (await metrics).close();
      await running.stop();
      if (o.pidFile) removePidFile(o.pidFile);
      await log.close();
      resolveExit(0);
    };
    const reload = (): ReloadOutcome => {
      if (stopping) return { ok: false, errors: ['the daemon is shutting down'] };
      log.info(`re-reading config file: ${o.configPath}`);
      log.reopen();
      const loaded = loadConfigFile(o.configPath, o.fwknopAccess);
      if (!loaded.ok) {
        for (const m of loaded.messages) log.error(m);
        log.error(`${o.configPath} is not valid; still running with the previous configuration`, ev('config.error', { path: o.configPath }));
        return { ok: false, errors: loaded.messages };
      }
      const unresolved = spaCommands.prepare(loaded.config);
      if (unresolved.length > 0) {
        for (const m of unresolved) log.error(m);
        log.error(`${o.configPath} names users or groups this host does not have; still running with the previous configuration`, ev('config.error', { path: o.configPath }));
        return { ok: false, errors: unresolved };
      }
      running.reload(loaded.config);
      for (const m of observabilityNeedsRestart(o.config.options, loaded.config.options)) log.warn(m);
      log.info(`configuration reloaded: ${loaded.config.doors.length} door(s)`, ev('config.reload', { doors: loaded.config.doors.length, path: o.configPath }));
      return { ok: true, doors: loaded.config.doors.length };
    };
    const control = startControl({ socket: o.controlSocket, options: o.config.options, daemon: running, grants, reload, configPath: o.configPath, clock: systemClock, log });
    // metrics_listen (read at start): GET /metrics, docs/metrics.md.
    const metrics = serveMetrics({
      listen: o.config.options.metricsListen, daemon: running, commands: grants[0]!, firewall: firewallNow,
      remoteSyslog: () => log.remoteSyslogStats(), openLatency, startedAtMs, version: VERSION, log,
    });
    signals.deliver((signal) => (signal === 'SIGHUP' ? void reload() : void shutdown(signal)));
  });
}

/** The firewall grant manager, built once a door opens ports through a backend (else the firewall is never touched). */
async function firewallGrants(options: Config['options'], stateDir: string, store: NodeFileStore, log: Logger, onOpened: (kind: 'knock' | 'spa', seconds: number) => void): Promise<FirewallGrants> {
  const backend = await createBackend(options, {
    runner: new ExecToolRunner(),
    note: (m) => log.info(m),
    onChannelExit: (reason) => log.warn(`${reason}; restarting it for the next change`),
  });
  return new FirewallGrants({
    backend, clock: systemClock, store, statePath: firewallGrantsPath(stateDir), log,
    closeOnExit: options.closeOnExit, onOpened,
  });
}

function remoteSyslogOption(options: Config['options']): Pick<LoggerOptions, 'remoteSyslog'> {
  const r = options.syslogRemote;
  return r ? { remoteSyslog: { ...r, facility: options.syslogRemoteFacility ?? 4 } } : {};
}

type DaemonSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

/** Holds signals that arrive before the daemon is ready, then hands them (and later ones) over in order. */
class SignalQueue {
  private readonly pending: DaemonSignal[] = [];
  private handler: ((s: DaemonSignal) => void) | undefined;
  private readonly listeners = new Map<DaemonSignal, () => void>();

  constructor() {
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      const l = () => (this.handler ? this.handler(s) : this.pending.push(s));
      this.listeners.set(s, l);
      process.on(s, l);
    }
  }

  deliver(handler: (s: DaemonSignal) => void): void {
    this.handler = handler;
    for (const s of this.pending.splice(0)) handler(s);
  }

  detach(): void {
    for (const [s, l] of this.listeners) process.off(s, l);
  }
}
