// What `portcullis doctor` reports: one finding per thing checked, each with
// a status, a one-line explanation and (unless ok) the fix; and how they are
// printed. The `code` is stable (tests and --json users match on it).

export type Status = 'ok' | 'warn' | 'fail';

export type CheckName = 'config' | 'interface' | 'capture' | 'daemon' | 'backend' | 'protect' | 'grant' | 'established' | 'ban' | 'managers' | 'files';

export interface Finding {
  readonly check: CheckName;
  /** Stable identifier of what was found, e.g. PORT_SHADOWED. */
  readonly code: string;
  readonly status: Status;
  /** What it is about: a port (`tcp/22`), an interface, a file. */
  readonly subject: string;
  readonly message: string;
  /** Why, in a few lines (the semantics behind the finding). */
  readonly detail?: readonly string[];
  readonly fix?: string;
  /** The table (and chain) responsible, for firewall findings: `inet filter input`. */
  readonly where?: string;
}

const LABEL: Record<Status, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };
const INDENT = '      ';

export function formatFinding(f: Finding): string {
  const lines = [`${LABEL[f.status]}  ${f.check} ${f.subject}: ${f.message}`];
  for (const d of f.detail ?? []) lines.push(`${INDENT}${d}`);
  if (f.fix !== undefined && f.status !== 'ok') lines.push(`${INDENT}fix: ${f.fix}`);
  return lines.join('\n');
}

export function formatFindings(findings: readonly Finding[]): string {
  const fails = findings.filter((f) => f.status === 'fail').length;
  const warns = findings.filter((f) => f.status === 'warn').length;
  const summary = fails > 0 ? `${plural(fails, 'failure')}, ${plural(warns, 'warning')}`
    : warns > 0 ? `nothing broken, ${plural(warns, 'warning')}`
    : 'nothing wrong found';
  return `${findings.map(formatFinding).join('\n')}\n\ndoctor: ${summary}\n`;
}

/** 1 when something is broken; warnings alone still exit 0. */
export function exitStatus(findings: readonly Finding[]): 0 | 1 {
  return findings.some((f) => f.status === 'fail') ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
