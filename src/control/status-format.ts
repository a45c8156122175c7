// The text `portcullis status` prints: aligned tables of doors and grants,
// then the attempt, source and packet counts. Pure.
import type { DoorStatus, GrantStatus, StatusReport } from './types.js';

export function formatStatus(r: StatusReport): string {
  const out: string[] = [];
  out.push(`portcullis ${r.version}, pid ${r.pid}, up ${duration(Math.floor((r.now - r.startedAt) / 1000))}, config ${r.config}`);

  out.push('', `doors (${r.doors.length})`);
  if (r.doors.length === 0) out.push('  none');
  else out.push(...table(['door', 'by', 'kind', 'opens', 'steps', 'attempts'], r.doors.map((d) => [
    d.name, d.trigger, d.kind, opensText(d), d.trigger === 'spa' ? '-' : String(d.steps),
    d.attempts === undefined || d.trigger === 'spa' ? '-' : String(d.attempts),
  ])));

  out.push('', `grants (${r.grants.length})`);
  if (r.grants.length === 0) out.push('  none');
  else out.push(...table(['door', 'address', 'open', 'left', 'via'], r.grants.map((g) => [
    g.door, g.address, g.services.length > 0 ? g.services.join(', ') : 'start command', timeLeft(g), g.backend,
  ])));

  if (r.bans) out.push('', ...banLines(r.bans));

  const c = r.counters;
  const ignored = Object.entries(c.ignored);
  const ignoredTotal = ignored.reduce((sum, [, n]) => sum + n, 0);
  out.push('', ...rows([
    ['attempts in flight', `${r.attempts.inFlight} of ${r.attempts.max}`],
    ['sources', `${r.sources.banned} banned, ${r.sources.failing} failing, ${r.sources.evictions} dropped from full tables`],
  ]));
  out.push('', 'since start', ...rows([
    ['packets seen', String(c.packets)],
    ['knocks', String(c.knocks)],
    ['opens', String(c.opens)],
    ['failures', `${c.failures} (${c.decoyHits} on decoys)`],
    ['timeouts', String(c.timeouts)],
    ['evictions', `${c.evictions} (attempts dropped, attempt table full)`],
    ['bans', String(c.bans)],
    ['ignored', ignored.length === 0 ? '0' : `${ignoredTotal} (${ignored.map(([k, n]) => `${k.replace(/-/g, ' ')} ${n}`).join(', ')})`],
    // SPA doors (src/spa-server/): only the reasons that happened.
    ...(c.spa && c.spa.packets > 0 ? [['SPA packets', spaLine(c.spa)] as const] : []),
  ]));
  return `${out.join('\n')}\n`;
}

/** Bans shown in the text; --json has them all. */
const BANS_SHOWN = 50;

function banLines(b: NonNullable<StatusReport['bans']>): string[] {
  const where = b.kernel ? `in the daemon and the kernel (${b.kernel})` : 'in the daemon only';
  const out = [`bans (${b.active}, ${where}; ${b.total} since start, ${b.lifted} lifted, ${b.expired} expired${b.exempted > 0 ? `, ${b.exempted} failures of exempt sources not counted` : ''})`];
  if (b.list.length === 0) return [...out, '  none'];
  out.push(...table(['address', 'reason', 'failures', 'left'], b.list.slice(0, BANS_SHOWN).map((x) => [
    x.address, x.reason, x.failures > 0 ? String(x.failures) : '-', duration(x.secondsLeft),
  ])));
  if (b.list.length > BANS_SHOWN) out.push(`  … and ${b.list.length - BANS_SHOWN} more (portcullis status --json lists them all)`);
  return out;
}

function spaLine(spa: NonNullable<StatusReport['counters']['spa']>): string {
  const refused = Object.entries(spa.refused).filter(([, n]) => n > 0);
  const total = refused.reduce((sum, [, n]) => sum + n, 0);
  const commands = spa.commands ? `, ${spa.commands} commands run` : '';
  return `${spa.packets} (${spa.opens} accepted${commands}, ${total} refused${refused.length > 0 ? `: ${refused.map(([k, n]) => `${k} ${n}`).join(', ')}` : ''})`;
}

/** `8 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h`. */
export function duration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 > 0 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} d${s % 86_400 >= 3600 ? ` ${Math.floor((s % 86_400) / 3600)} h` : ''}`;
}

function timeLeft(g: GrantStatus): string {
  const left = g.secondsLeft === undefined ? 'no end' : duration(g.secondsLeft);
  return g.state === 'open' ? left : `${left} (${g.state})`;
}

/** A header and rows, columns padded to their widest cell, indented by two. */
function table(header: readonly string[], body: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`;
  return [line(header), ...body.map(line)];
}

function rows(pairs: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  return pairs.map(([k, v]) => `  ${k.padEnd(width)}${v}`);
}

function opensText(d: DoorStatus): string {
  const parts = d.opens.length > 0 ? [d.opens.join(', ')] : d.commands ? [] : ['what its start command opens'];
  if (d.commands) parts.push('runs command messages');
  return parts.join('; ');
}
