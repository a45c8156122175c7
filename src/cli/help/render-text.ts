// `--help` text from the reference: `portcullis --help` (the command list) and
// `portcullis <command> --help`. Pure: strings in, string out.
import type { CommandHelp, OptionHelp } from './model.js';
import { COMMANDS, HELP_OPTION } from './reference.js';

const WIDTH = 79;
/** Where option and argument descriptions start. */
const COLUMN = 28;

/** Drops the literal-text backticks; --help is plain text. */
export function plain(text: string): string {
  return text.replace(/`([^`]*)`/g, '$1');
}

/** Greedy word wrap; lines after the first start with `indent`. Words may be given. */
export function wrap(text: string | readonly string[], width: number, first: string, indent: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  const words = typeof text === 'string' ? text.split(/\s+/) : text;
  for (const word of words.filter((w) => w !== '')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** A synopsis in words that keep `[-g LOGFILE]` and `(-a X | -s)` whole. */
export function synopsisWords(text: string): string[] {
  const words: string[] = [];
  let depth = 0;
  let word = '';
  for (const c of text) {
    if (c === '[' || c === '(') depth++;
    if (c === ']' || c === ')') depth = Math.max(0, depth - 1);
    if (c === ' ' && depth === 0) {
      words.push(word);
      word = '';
    } else {
      word += c;
    }
  }
  return [...words, word];
}

/** A paragraph; lines starting with two spaces are kept as they are. */
function paragraph(text: string, indent: string): string[] {
  if (text.startsWith('  ')) return text.split('\n').map((l) => indent + plain(l));
  return wrap(plain(text), WIDTH, indent, indent);
}

export function optionLabel(o: OptionHelp): string {
  const long = `--${o.long}${o.arg !== undefined ? ` ${o.arg}` : ''}`;
  return o.short !== undefined ? `-${o.short}, ${long}` : `    ${long}`;
}

/** `  LABEL   description`, the description wrapped at COLUMN, or on the next line when LABEL is long. */
function item(label: string, help: string): string[] {
  const head = `  ${label}`;
  const pad = ' '.repeat(COLUMN);
  if (head.length >= COLUMN - 1) return [head, ...wrap(plain(help), WIDTH, pad, pad)];
  return wrap(plain(help), WIDTH, head.padEnd(COLUMN), pad);
}

export function commandUsage(cmd: CommandHelp): string {
  const out: string[] = [];
  cmd.synopsis.forEach((s, i) => {
    const lead = i === 0 ? 'usage: portcullis ' : '       portcullis ';
    const rest = s.slice(cmd.name.length).trim(); // synopses start with the name (reference.test.ts)
    out.push(...wrap(synopsisWords(rest), WIDTH, `${lead}${cmd.name} `, ' '.repeat(lead.length + cmd.name.length + 1)));
  });
  for (const p of cmd.description) out.push('', ...paragraph(p, '  '));
  if (cmd.operands?.length) {
    out.push('', 'arguments:');
    for (const a of cmd.operands) out.push(...item(a.name, a.help));
  }
  const accepted = cmd.options.filter((o) => !o.refused);
  const refused = cmd.options.filter((o) => o.refused);
  out.push('', 'options:');
  for (const o of [...accepted, HELP_OPTION]) out.push(...item(optionLabel(o), o.help));
  if (refused.length > 0) {
    out.push('', 'not supported (refused with a message saying what to use):');
    for (const o of refused) out.push(...item(optionLabel(o), o.help));
  }
  for (const n of cmd.notes ?? []) out.push('', ...paragraph(n, '  '));
  out.push('', ...wrap(plain(`exit status: ${cmd.exitStatus}`), WIDTH, '', '  '));
  if (cmd.examples?.length) {
    out.push('', cmd.examples.length === 1 ? 'example:' : 'examples:');
    for (const e of cmd.examples) out.push(`  ${e.command}`, ...wrap(plain(e.help), WIDTH, '      ', '      '));
  }
  return out.join('\n');
}

export function mainUsage(): string {
  const out = ['usage: portcullis <command> [options]', '       portcullis --help | --version', '', 'commands:'];
  for (const c of COMMANDS) out.push(...wrap(plain(c.summary), WIDTH, `  ${c.name.padEnd(11)} `, ' '.repeat(14)));
  out.push('', 'Run `portcullis <command> --help` for the options of a command;', 'man portcullis and man portcullis.conf for all of them.');
  return out.join('\n');
}
