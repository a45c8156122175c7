// describeConfig: the human summary `portcullis check` prints, one block per
// door in file order, then the options.
import type { Config, Door, Options } from './model.js';
import { formatSequence } from './sequence.js';
import { formatTcpFlags } from './tcpflags.js';
import { formatDecoys } from './decoys.js';
import { describeSpaDoor } from './spa-door.js';
import { describeSecretSequence } from './secret-sequence.js';

export function describeConfig(config: Config): string {
  const blocks = config.doors.map(describeDoor);
  if (blocks.length === 0) blocks.push('(no doors)');
  blocks.push(describeOptions(config.options));
  return `${blocks.join('\n\n')}\n`;
}

function describeDoor(d: Door): string {
  if (d.spa) return block(`[${d.name}] (line ${d.line}, SPA)`, describeSpaDoor(d));
  const sequence = d.sequenceSecret ? describeSecretSequence(d.sequenceSecret) : formatSequence(d.sequence) +
    (d.oneTimeSequences === undefined ? '' : ` (one-time, first unused line of ${d.oneTimeSequences})`);
  return block(`[${d.name}] (line ${d.line})`, [
    ['sequence', sequence],
    ['seq timeout', seconds(d.seqTimeoutMs)],
    ['cmd timeout', seconds(d.cmdTimeoutMs)],
    ['tcp flags', d.tcpFlags.length > 0 ? formatTcpFlags(d.tcpFlags) : 'any'],
    ['target', d.target ?? 'addresses of the capture interfaces'],
    ['allow', d.allow.length > 0 ? d.allow.map((c) => c.text).join(', ') : 'any source'],
    ['duplicates', d.allowDuplicates ? 'a repeat of the knock just matched is ignored' : 'a repeat of the knock just matched fails the attempt'],
    ['cooldown', d.cooldownMs > 0 ? seconds(d.cooldownMs) : 'none'],
    ['start', command(d.startCommand)],
    ['start (IPv6)', d.startCommand6 === undefined ? 'same as start' : command(d.startCommand6)],
    ['stop', command(d.stopCommand)],
    ['stop (IPv6)', d.stopCommand6 === undefined ? 'same as stop' : command(d.stopCommand6)],
  ]);
}

function describeOptions(o: Options): string {
  return block('[options]', [
    ['syslog', o.useSyslog ? 'yes' : 'no'],
    ['log file', o.logFile ?? 'none'],
    ['pid file', o.pidFile ?? 'default'],
    ['interfaces', o.interfaces.length > 0 ? o.interfaces.join(', ') : 'default'],
    ['state dir', o.stateDir ?? 'default'],
    ['decoys', formatDecoys(o.decoys)],
    ['bans', o.banMs > 0
      ? `${o.failureLimit} failures within ${seconds(o.failureWindowMs)} ban a source for ${seconds(o.banMs)}`
      : 'off (BanTime = 0)'],
    // BanExempt (src/bans/): shown only when set.
    ...(o.banExempt ? [['never banned', o.banExempt.map((c) => c.text).join(', ')] as [string, string]] : []),
    ['max attempts', String(o.maxAttempts)],
    ['max sources', String(o.maxTrackedSources)],
    // Observability (docs/metrics.md, docs/logging.md): shown only when set.
    ...(o.metricsListen ? [['metrics', `http://${hostPortText(o.metricsListen)}/metrics`] as [string, string]] : []),
    ...(o.syslogRemote ? [['syslog remote', `${o.syslogRemote.transport}://${hostPortText(o.syslogRemote)} (security events, facility ${o.syslogRemoteFacility ?? 4})`] as [string, string]] : []),
  ]);
}

function hostPortText(a: { readonly host: string; readonly family: 4 | 6; readonly port: number }): string {
  return a.family === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function block(title: string, rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`)].join('\n');
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** An empty command runs nothing (knockd skipped it too). */
function command(cmd: string | undefined): string {
  if (cmd === undefined) return 'none';
  return cmd === '' ? 'nothing (empty)' : cmd;
}
