// The stable event vocabulary (docs/logging.md). Every log line the daemon
// writes about something that happened carries `event: NAME` in its fields, so
// JSON logs, the remote syslog forwarder (MSGID) and SIEM rules can key on the
// name instead of parsing the human text, which stays knockd's where knockd
// has a line. The set is closed: names are added, never renamed or removed.
// `security` events are the ones forwarded to a remote collector (syslog_remote).
import type { Fields, Level } from './logger.js';

export interface EventSpec {
  /** The level the line is written at. */
  readonly level: Level;
  /** Forwarded to `syslog_remote`: what a SIEM should see. */
  readonly security: boolean;
  /** The fields the line may carry besides `event` (names only; docs/logging.md gives types). */
  readonly fields: readonly string[];
  /** One line for the docs. */
  readonly about: string;
}

const spec = (level: Level, security: boolean, fields: readonly string[], about: string): EventSpec => ({ level, security, fields, about });

export const EVENTS = {
  // Knock doors (src/daemon/event-log.ts).
  'knock.stage': spec('info', false, ['src', 'door', 'stage'], 'a source matched step `stage` of a door (rate-limited)'),
  'knock.open': spec('info', true, ['src', 'door'], 'a source completed a door\'s sequence (knockd\'s OPEN SESAME)'),
  'knock.timeout': spec('info', false, ['src', 'door', 'stage'], 'an attempt ran out of time after `stage` steps (rate-limited)'),
  'knock.fail': spec('debug', false, ['src', 'door', 'stage', 'reason', 'port'], 'an attempt was killed: reason `wrong-knock`, `decoy` or `too-soon`'),
  // Bans (src/door/, src/daemon/event-log.ts).
  'ban.add': spec('info', true, ['src', 'seconds', 'door', 'reason', 'failures'], 'a source failed `failures` times (knocks or SPA packets; `reason`: the last failure\'s kind) and is ignored for `seconds` (rate-limited)'),
  'ban.lift': spec('info', true, ['src', 'by', 'count'], 'bans ended before their time (`by`: who lifted them, `src` `all` for unban --all)'),
  // SPA doors (src/spa-server/receiver.ts).
  'spa.accept': spec('info', true, ['src', 'door', 'user', 'ip', 'ports', 'seconds'], 'an SPA packet was accepted; `ip` is granted `ports` for `seconds`'),
  'spa.reject': spec('info', true, ['src', 'door', 'reason', 'detail'], 'an SPA packet was refused; `reason` is one of the fixed SPA reasons (rate-limited)'),
  'spa.command': spec('info', true, ['src', 'door', 'user', 'ip', 'command', 'exitCode', 'error'], 'an SPA command message (fwknop -C) was run or refused to run'),
  'spa.listen': spec('info', false, ['door', 'port', 'mode'], 'an SPA door receives on udp/`port`'),
  'spa.error': spec('error', false, ['port', 'error'], 'an SPA socket failed or could not be bound'),
  // How an SPA command ended (src/spa-server/command-exec.ts).
  'spa.command.done': spec('info', false, ['src', 'door', 'durationMs', 'output', 'exitCode'], 'an SPA command finished with status 0 (rate-limited)'),
  'spa.command.fail': spec('warn', true, ['src', 'door', 'durationMs', 'output', 'exitCode', 'signal', 'error'], 'an SPA command failed, timed out or could not be run (rate-limited)'),
  // Firewall grants (src/grants/).
  'grant.open': spec('info', true, ['ip', 'door', 'ports', 'seconds'], 'a firewall grant was committed (the port is open for `ip`)'),
  'grant.extend': spec('info', true, ['ip', 'door', 'seconds'], 'a repeat knock or packet extended an open grant'),
  'grant.close': spec('info', true, ['ip', 'door', 'reason', 'count'], 'grants were closed: reason `expired`, `revoked` or `exit`'),
  'grant.refused': spec('error', true, ['ip', 'door', 'reason'], 'a grant was not made: reason `table-full` or `no-backend`'),
  'grant.reconcile': spec('info', false, ['backend', 'restored', 'expired', 'strays'], 'start-up: the firewall was matched against the grants state file'),
  // Start/stop commands (src/actions/).
  'command.run': spec('info', false, ['ip', 'door', 'command'], 'a start or stop command is run (knockd\'s "running command")'),
  'command.done': spec('debug', false, ['ip', 'door', 'command', 'durationMs', 'output'], 'a command finished with status 0'),
  'command.fail': spec('warn', true, ['ip', 'door', 'command', 'durationMs', 'output', 'exitCode', 'signal'], 'a command was killed, timed out, or returned non-zero (knockd\'s "non-zero status code")'),
  'command.error': spec('error', true, ['ip', 'door', 'command', 'durationMs', 'output', 'error', 'code'], 'a command could not be run at all (or its %IP% substitution was refused)'),
  'command.output': spec('info', false, ['ip', 'door'], 'what a failing command printed (the end of it)'),
  'command.expire': spec('info', false, ['ip', 'door'], 'cmd_timeout passed: the stop command runs now (knockd\'s "command timeout")'),
  'command.extend': spec('info', false, ['ip', 'door'], 'a door already open was knocked again: its stop command is postponed'),
  'command.busy': spec('info', false, ['ip', 'door'], 'a knock arrived while the door\'s command for that address was still running'),
  'command.revoke': spec('info', true, ['ip', 'door'], 'a revoke runs the stop command now (or once the start returns)'),
  'command.refused': spec('error', true, ['ip', 'door', 'reason'], 'a command was not run: reason `table-full` or `gave-up` (stop failed too often)'),
  // Effects failing (src/firewall/, src/grants/, src/capture/).
  'firewall.error': spec('error', true, ['ip', 'door', 'error'], 'the firewall refused a change (open, close, reconfigure)'),
  'firewall.retry': spec('warn', false, ['ip', 'door', 'error'], 'closing a grant failed and is tried again'),
  'capture.error': spec('error', true, ['iface', 'error'], 'packet capture failed on an interface'),
  'state.error': spec('error', false, ['path', 'error'], 'a state file could not be read or written'),
  // The daemon's life (src/daemon/).
  'daemon.start': spec('info', true, ['interfaces'], 'capturing started (knockd\'s "starting up")'),
  'daemon.stop': spec('info', true, [], 'shutting down (knockd\'s line)'),
  'daemon.signal': spec('info', false, ['signal'], 'a signal arrived'),
  'daemon.summary': spec('info', false, [], 'the periodic summary of what was suppressed or ignored'),
  'daemon.error': spec('error', true, ['error'], 'the daemon could not start'),
  'config.reload': spec('info', true, ['doors', 'path'], 'a new configuration is in force'),
  'config.error': spec('error', true, ['path'], 'a reload was refused: the file is not valid; the old configuration stays'),
  // The control socket (src/control/, src/daemon/control-handler.ts).
  'control.listen': spec('info', false, ['path'], 'the control socket is listening'),
  'control.error': spec('warn', false, ['path', 'error'], 'the control socket is unavailable'),
  'control.revoke': spec('info', true, ['ip', 'count'], '`portcullis revoke` closed grants (`ip` is `all` for --all)'),
  // Observability itself (src/metrics/, src/log/).
  'metrics.listen': spec('info', false, ['address'], 'GET /metrics is served on metrics_listen'),
  'metrics.exposed': spec('warn', false, ['address'], 'metrics_listen is not a loopback address (a reminder: the listener has no authentication)'),
  'metrics.error': spec('error', false, ['address', 'error'], 'the metrics listener could not start'),
} as const satisfies Record<string, EventSpec>;

export type EventName = keyof typeof EVENTS;

export const EVENT_NAMES: readonly EventName[] = Object.keys(EVENTS) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(EVENTS, name);
}

/** The event name an entry's fields carry, if it is one of the vocabulary's. */
export function eventOf(fields: Fields | undefined): EventName | undefined {
  const name = fields?.['event'];
  return isEventName(name) ? name : undefined;
}

/** Whether lines of this event go to the remote syslog collector. */
export function isSecurityEvent(fields: Fields | undefined): boolean {
  const name = eventOf(fields);
  return name !== undefined && EVENTS[name].security;
}

/** The fields of one event line: `ev('knock.open', { src, door })`. */
export function ev(name: EventName, fields: Fields = {}): Fields {
  return { event: name, ...fields };
}
