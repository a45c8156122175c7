// Runs the command messages the gate accepted (kind 'command'): the argv as
// is, no shell, through the CommandRunner's exec() (setgid/setuid to the
// door's cmd_exec_user/cmd_exec_group, supplementary groups dropped, the
// environment only MINIMAL_ENV, cwd /, killed with its process group after
// cmd_exec_timeout), at most cmd_exec_max_running per door — more are refused
// at once, never queued. Output is the runner's bounded tail; every line goes
// through the daemon's log gate (a key holder can send commands at packet rate).
import type { Config, Door } from '../config/model.js';
import type { CommandOutcome, CommandRunner } from '../actions/runner.js';
import type { LogGate } from '../daemon/log-gate.js';
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import { quoteArgv } from './command-argv.js';
import { resolveIdentities, selfIdentity, type CommandIdentity, type IdentityLookup, type SelfIdentity } from './command-identity.js';

/** The whole environment of a command: nothing of the daemon's (keys, sockets, LD_*) leaks in. */
export const MINIMAL_ENV: Readonly<Record<string, string>> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

// Enough of the output to see what happened; the runner keeps the last 4 KiB.
const OUTPUT_IN_LOG = 300;

export interface CommandJob {
  readonly door: Door;
  readonly argv: readonly string[];
  /** The message's allow IP, and the packet's source. */
  readonly address: string;
  readonly src: string;
}

export interface SpaCommandsDeps {
  readonly runner: CommandRunner;
  readonly lookup: IdentityLookup;
  readonly log: Logger;
  readonly clock: Clock;
  /** Who the daemon is (default: this process). */
  readonly self?: SelfIdentity;
}

export class SpaCommands {
  private ids: ReadonlyMap<string, CommandIdentity> = new Map();
  private readonly running = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Aborted by stop(): running commands are killed, none starts. */
  private readonly stopping = new AbortController();

  constructor(private readonly deps: SpaCommandsDeps) {}

  /**
   * Resolves the users and groups of `config`'s doors (at start, and before a
   * reload is applied). On a problem nothing changes and the `FILE:LINE: key: …`
   * messages are returned; else the ids are installed, with a warning for
   * each door that accepts any command (no cmd_allow, as fwknopd).
   */
  prepare(config: Config): string[] {
    const r = resolveIdentities(config, this.deps.lookup, this.deps.self ?? selfIdentity());
    if (!r.ok) return [...r.messages];
    this.ids = r.ids;
    for (const door of config.doors) {
      const c = door.spa?.commandExec;
      if (!c) continue;
      const id = r.ids.get(door.name)!;
      this.deps.log.info(`${door.name}: SPA command messages run as ${id.name} (uid ${id.uid}, gid ${id.gid}), no shell, killed after ${c.timeoutMs / 1000} s, at most ${c.maxRunning} at once`);
      if (!c.allow) this.deps.log.warn(`${door.name}: enable_cmd_exec without cmd_allow: any command a holder of the door's keys sends runs as ${id.name}; expected cmd_allow = COMMAND lines for the commands it should run`);
      if (id.uid === 0) this.deps.log.warn(`${door.name}: SPA command messages run as root (cmd_exec_user = root)`);
    }
    return [];
  }

  /** Commands of `door` running now. */
  runningFor(door: string): number {
    return this.running.get(door) ?? 0;
  }

  /** Starts the command, or says why not (the caller counts and logs the refusal). */
  start(job: CommandJob, gate: LogGate): { reason: 'command' | 'command-busy'; detail: string } | undefined {
    const { door, argv, src } = job;
    const c = door.spa?.commandExec;
    const id = this.ids.get(door.name);
    if (!c || !id) return { reason: 'command', detail: `[${door.name}] has no resolved cmd_exec_user (reloading?)` };
    if (this.stopping.signal.aborted) return { reason: 'command', detail: 'the daemon is stopping' };
    const now = this.running.get(door.name) ?? 0;
    if (now >= c.maxRunning) return { reason: 'command-busy', detail: `${now} commands of this door are running (cmd_exec_max_running = ${c.maxRunning})` };
    this.running.set(door.name, now + 1);
    const text = quoteArgv(argv);
    const log = this.deps.log;
    if (gate.allow(this.deps.clock.now())) {
      log.info(`${src}: ${door.name}: running SPA command as ${id.name}: ${text}`, ev('spa.command', { src, door: door.name, user: id.name, ip: job.address, command: text }));
    }
    const run = this.deps.runner.exec({ argv, uid: id.uid, gid: id.gid, env: MINIMAL_ENV, cwd: '/', timeoutMs: c.timeoutMs, signal: this.stopping.signal }).then((o) => {
      const left = (this.running.get(door.name) ?? 1) - 1;
      if (left > 0) this.running.set(door.name, left); else this.running.delete(door.name);
      if (gate.allow(this.deps.clock.now())) logOutcome(log, `${src}: ${door.name}: SPA command ${text}`, o, c.timeoutMs, { src, door: door.name });
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return undefined;
  }

  /**
   * The daemon stops: running commands are killed (TERM, then KILL after the
   * runner's grace), so none outlives its cmd_exec_timeout unwatched; waits
   * for them at most `waitMs`.
   */
  async stop(waitMs = 3000): Promise<void> {
    this.stopping.abort();
    let timer: { cancel(): void } | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => { timer = this.deps.clock.setTimer(waitMs, resolve); })]);
    timer?.cancel();
  }

  /** Resolves once every command started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}

function logOutcome(log: Logger, what: string, o: CommandOutcome, timeoutMs: number, fields: Record<string, string>): void {
  // JSON-quoted: the output is the command's, and may hold anything.
  const output = o.output.trim();
  const tail = output === '' ? '' : `; output: ${JSON.stringify(output.slice(-OUTPUT_IN_LOG))}`;
  const f = { ...fields, durationMs: o.durationMs, output: o.output, exitCode: o.exitCode };
  const fail = ev('spa.command.fail', { ...f, signal: o.signal, ...(o.error !== undefined && { error: o.error }) });
  if (o.error !== undefined) log.error(`${what} did not run: ${o.error}`, fail);
  else if (o.timedOut) log.warn(`${what} did not finish within ${timeoutMs / 1000} s and was killed${tail}`, fail);
  else if (o.signal !== null) log.warn(`${what} was killed by signal ${o.signal}${tail}`, fail);
  else if (o.exitCode !== 0) log.warn(`${what} exited with status ${o.exitCode}${tail}`, fail);
  else log.info(`${what} exited with status 0 in ${o.durationMs} ms${tail}`, ev('spa.command.done', f));
}
