// access.conf lines as fwknopd reads them (fwknop 2.6.10 server/access.c):
// `KEYWORD value`, split by sscanf "%s %[^;\n\r]", and where each line is.

/** Where a line of the converted text came from: the access.conf line and its keyword. */
export interface LineOrigin {
  readonly file: string;
  readonly line: number;
  readonly key: string;
}

/** A line's place: file, line, keyword as written, and its position in reading order (for sorting errors). */
export interface At extends LineOrigin {
  readonly ord: number;
}

/** One `KEYWORD value` line as fwknopd's sscanf splits it; `raw` keeps trailing blanks, undefined when there is no value. */
export interface AccessLine {
  readonly line: number;
  readonly keyword: string;
  readonly raw: string | undefined;
}

const BLANK = /^[ \t\v\f\r]*/;

/** fwknopd's line reading: comments and empty lines by their first character, then `%s %[^;\n\r]`, a trailing `:` cut off the keyword. */
export function splitAccessLines(text: string): AccessLine[] {
  const out: AccessLine[] = [];
  text.replace(/^\ufeff/, '').split('\n').forEach((physical, i) => {
    // fwknopd refuses a line of blanks and warns about an indented comment; both are skipped here.
    const s = physical.replace(BLANK, '');
    if (s === '' || s[0] === '#' || s[0] === ';' || s[0] === '\0') return;
    const token = /^[^ \t\v\f\r]+/.exec(s)![0];
    const value = /^[^;\r]*/.exec(s.slice(token.length).replace(BLANK, ''))![0];
    const colon = token.lastIndexOf(':');
    out.push({ line: i + 1, keyword: colon < 0 ? token : token.slice(0, colon), raw: value === '' ? undefined : value });
  });
  return out;
}

/** The error for a keyword line without a value. */
export function noValue(keyword: string): string {
  return `no value; expected ${keyword} and its value on one line (a ";" ends the value)`;
}
