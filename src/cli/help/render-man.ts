// portcullis(8) and portcullis.conf(5) as roff with the man(7) macros, from
// the reference. Pure: the pages are strings; man-main.ts writes them.
import type { CommandHelp, ConfigKeyHelp, ConfigSection, OptionHelp } from './model.js';
import { COMMANDS, CONFIG_SECTIONS, HELP_OPTION, VERSION } from './reference.js';
import { synopsisWords } from './render-text.js';
import {
  CONFIG_DESCRIPTION, PROGRAM_DESCRIPTION, PROGRAM_SECTIONS, SEE_ALSO_CONFIG, SEE_ALSO_PROGRAM, type ManSection,
} from './man-sections.js';

/** The pages' date (.TH): fixed, so builds are reproducible; bump with the release. */
export const MAN_DATE = '2026-12-01';

/** Characters roff treats specially, and the non-ASCII ones the reference uses. */
const CHARS: Record<string, string> = { '\\': '\\e', '-': '\\-', '…': '...', '—': '\\(em', '–': '\\(en', '→': '\\(->', '×': '\\(mu' };

/** Escapes text for a roff text line (not a macro argument). */
export function escape(text: string): string {
  return text.replace(/[\\\-…—–→×]/g, (c) => CHARS[c]!);
}

/** A text line must not start with a control character. */
function line(text: string): string {
  return /^[.']/.test(text) ? `\\&${text}` : text;
}

/** Inline markup: `literal` in bold. */
function inline(text: string): string {
  return text.split('`').map((part, i) => (i % 2 === 1 ? `\\fB${escape(part)}\\fR` : escape(part))).join('');
}

/** Placeholders (FILE, PROTO/PORT) in italics, the rest as it is. */
function syntax(text: string): string {
  return escape(text).replace(/\b[A-Z][A-Z0-9_]*[A-Z0-9]\b|\b[A-Z]\b/g, (w) => `\\fI${w}\\fR`);
}

function paragraph(text: string): string[] {
  if (text.startsWith('  ')) return ['.PP', '.nf', ...text.split('\n').map((l) => line(escape(l.slice(2)))), '.fi'];
  return ['.PP', line(inline(text))];
}

function tagged(tag: string, text: string): string[] {
  return ['.TP', line(tag), line(inline(text))];
}

function optionTag(o: OptionHelp): string {
  const long = `\\fB\\-\\-${escape(o.long)}\\fR${o.arg !== undefined ? ` ${syntax(o.arg)}` : ''}`;
  return o.short !== undefined ? `\\fB\\-${escape(o.short)}\\fR, ${long}` : long;
}

function seeAlso(pages: readonly string[]): string[] {
  return ['.SH SEE ALSO', pages.map((p) => p.replace(/^(.*)\((\d)\)$/, '\\fB$1\\fR($2)')).join(',\n')];
}

function section(s: ManSection): string[] {
  const out = [`.SH ${s.title}`];
  for (const p of s.paragraphs ?? []) out.push(...paragraph(p));
  for (const [tag, text] of s.items ?? []) out.push(...tagged(`\\fB${escape(tag)}\\fR`, text));
  return out;
}

function example(text: string): string[] {
  return ['.PP', '.RS 4', '.nf', ...text.split('\n').map((l) => line(escape(l))), '.fi', '.RE'];
}

function synopsisLine(cmd: CommandHelp, s: string): string {
  // Bracketed groups never break across lines: their spaces are unpaddable.
  const words = synopsisWords(s.slice(cmd.name.length).trim()).map((w) => syntax(w).replace(/ /g, '\\ '));
  return line(`\\fBportcullis ${escape(cmd.name)}\\fR ${words.join(' ')}`);
}

function command(cmd: CommandHelp): string[] {
  const out = [`.SS ${cmd.name}`];
  for (const s of cmd.synopsis) out.push('.PP', synopsisLine(cmd, s));
  for (const p of cmd.description) out.push(...paragraph(p));
  if (cmd.operands?.length) out.push('.PP', '\\fIArguments:\\fR');
  for (const a of cmd.operands ?? []) out.push(...tagged(syntax(a.name), a.help));
  out.push('.PP', '\\fIOptions:\\fR');
  for (const o of [...cmd.options.filter((x) => !x.refused), HELP_OPTION]) out.push(...tagged(optionTag(o), o.help));
  const refused = cmd.options.filter((o) => o.refused);
  if (refused.length > 0) {
    out.push('.PP', 'Not supported (refused with a message saying what to use):');
    for (const o of refused) out.push(...tagged(optionTag(o), o.help));
  }
  for (const n of cmd.notes ?? []) out.push(...paragraph(n));
  out.push('.PP', line(inline(`Exit status: ${cmd.exitStatus}`)));
  if (cmd.examples?.length) out.push('.PP', `\\fI${cmd.examples.length === 1 ? 'Example' : 'Examples'}:\\fR`);
  for (const e of cmd.examples ?? []) out.push(...example(e.command), '.RS 4', line(inline(e.help)), '.RE');
  return out;
}

/** Option names and paths must not be hyphenated or stretched. */
const NO_HYPHENATION = ['.nh', '.ad l'];

export function programPage(): string {
  const out = [
    `.TH PORTCULLIS 8 "${MAN_DATE}" "portcullis ${VERSION}" "System Administration"`,
    ...NO_HYPHENATION,
    '.SH NAME',
    'portcullis \\- port knocking and Single Packet Authorization daemon and client (knockd and fwknop compatible)',
    '.SH SYNOPSIS',
  ];
  COMMANDS.forEach((c, i) => c.synopsis.forEach((s, j) => out.push(...(i + j > 0 ? ['.br'] : []), synopsisLine(c, s))));
  out.push('.br', '\\fBportcullis\\fR \\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR');
  out.push('.SH DESCRIPTION');
  for (const p of PROGRAM_DESCRIPTION) out.push(...paragraph(p));
  out.push('.SH COMMANDS');
  for (const c of COMMANDS) out.push(...command(c));
  for (const s of PROGRAM_SECTIONS) out.push(...section(s));
  out.push(...seeAlso(SEE_ALSO_PROGRAM));
  return `${out.join('\n')}\n`;
}

function keyTag(k: ConfigKeyHelp): string {
  const names = [k.key, ...(k.aliases ?? [])].map((n) => `\\fB${escape(n)}\\fR`);
  const spelled = names.length > 1 ? `${names[0]} (${names.slice(1).join(', ')})` : names[0]!;
  return k.value === '' ? spelled : `${spelled} = ${syntax(k.value)}`;
}

const sentence = (text: string): string => (text.endsWith('.') ? text : `${text}.`);

function configKey(k: ConfigKeyHelp): string[] {
  const origin = k.origin === 'portcullis' ? '' : ` From ${k.origin}.`;
  return ['.TP', line(keyTag(k)), line(inline(sentence(k.help))), '.br', line(inline(`Default: ${sentence(k.default)}${origin}`))];
}

function configSection(s: ConfigSection): string[] {
  const out = [`.SH ${s.id === 'options' ? 'OPTIONS SECTION' : s.title.toUpperCase()}`];
  for (const p of s.intro) out.push(...paragraph(p));
  for (const k of s.keys) out.push(...configKey(k));
  if (s.example) out.push('.PP', 'Example:', ...example(s.example));
  return out;
}

export function configPage(): string {
  const out = [
    `.TH PORTCULLIS.CONF 5 "${MAN_DATE}" "portcullis ${VERSION}" "File Formats"`,
    ...NO_HYPHENATION,
    '.SH NAME',
    'portcullis.conf \\- doors and options of the portcullis knock and SPA daemon (knockd.conf syntax)',
    '.SH SYNOPSIS',
    '\\fB/etc/portcullis/portcullis.conf\\fR, \\fB/etc/knockd.conf\\fR',
    '.SH DESCRIPTION',
  ];
  for (const p of CONFIG_DESCRIPTION) out.push(...paragraph(p));
  for (const s of CONFIG_SECTIONS) out.push(...configSection(s));
  out.push(...seeAlso(SEE_ALSO_CONFIG));
  return `${out.join('\n')}\n`;
}
