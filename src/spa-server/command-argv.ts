// The text of an SPA command message (fwknop -C "…") split into an argv, for
// execution without a shell. Pure. The rules (README "SPA command messages"):
//
//   * words are separated by one or more spaces; tabs, newlines and every other
//     control character (U+0000–U+001F, U+007F–U+009F) are refused, quoted or not;
//   * '…' is literal up to the next '; "…" is literal up to the next ", except
//     that \" and \\ stand for " and \ inside it; outside quotes, \ makes the
//     next character literal; quoted and bare parts next to each other are one
//     word ('a'"b"c is abc), and '' or "" makes an empty word;
//   * unquoted shell syntax is refused, not passed on: ; & | < > ( ) $ ` * ? [ ] { } ~ # !
//     — nothing here would expand or chain it, and a client who wrote it meant a
//     shell; quote it (or \-escape it) to pass it literally;
//   * the program (first word) is an absolute path or a bare name looked up in
//     the minimal PATH; a relative path (./x, bin/x) is refused;
//   * at most MAX_WORDS words; an empty command is refused.

export const MAX_WORDS = 64;

const SHELL_SYNTAX = new Set([';', '&', '|', '<', '>', '(', ')', '$', '`', '*', '?', '[', ']', '{', '}', '~', '#', '!']);

export type ArgvResult = { readonly ok: true; readonly argv: readonly string[] } | { readonly ok: false; readonly error: string };

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Splits `text` into an argv by the rules above, or says why it cannot. */
export function splitCommand(text: string): ArgvResult {
  const fail = (error: string): ArgvResult => ({ ok: false, error });
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const chars = Array.from(text);
  for (let k = 0; k < chars.length; k++) {
    const code = chars[k]!.codePointAt(0)!;
    if (isControl(code)) return fail(`control character U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${k + 1}; expected printable text`);
  }
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === ' ') {
      if (inWord) { words.push(word); word = ''; inWord = false; }
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = chars.indexOf("'", i + 1);
      if (end < 0) return fail(`unterminated ' quote at position ${i + 1}`);
      word += chars.slice(i + 1, end).join('');
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= chars.length) return fail(`unterminated " quote at position ${i + 1}`);
        const d = chars[j]!;
        if (d === '"') break;
        if (d === '\\' && (chars[j + 1] === '"' || chars[j + 1] === '\\')) { word += chars[j + 1]; j += 2; continue; }
        word += d;
        j++;
      }
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 >= chars.length) return fail('a \\ at the end escapes nothing');
      word += chars[i + 1];
      i += 2;
    } else if (SHELL_SYNTAX.has(c)) {
      return fail(`unquoted ${c} at position ${i + 1} is shell syntax, and commands run without a shell; expected it quoted ('${c}') if it is meant literally`);
    } else {
      word += c;
      i++;
    }
    if (words.length + 1 > MAX_WORDS) return fail(`more than ${MAX_WORDS} words`);
  }
  if (inWord) words.push(word);
  if (words.length === 0) return fail('an empty command');
  if (words.length > MAX_WORDS) return fail(`more than ${MAX_WORDS} words`);
  const program = words[0]!;
  if (program === '') return fail('an empty program name');
  if (!program.startsWith('/') && program.includes('/')) {
    return fail(`the program "${program}" is a relative path; expected an absolute path or a name found in PATH`);
  }
  return { ok: true, argv: words };
}

/** Whether two argvs are the same words (how cmd_allow matches). */
export function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

/** An argv written back as text the splitter reads as the same argv (for log lines and messages). */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((w) => (w !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
