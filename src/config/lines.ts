// Splits knockd.conf text into section headers and directives, with 1-based
// line numbers, following knockd's parseconfig: each line is trimmed; blank
// lines and lines whose first non-blank character is `#` are skipped; `[name]`
// opens a section (name not trimmed); anything else is a directive, split at
// the FIRST `=` with key and value trimmed. No meaning is given to keys here.

export type ConfigLine =
  /** `[name]`; `name` is exactly the text between the brackets. */
  | { readonly kind: 'section'; readonly line: number; readonly name: string }
  /** Starts with `[` but does not end with `]`, e.g. `[d] # x`; `name` is a best guess for recovery. */
  | { readonly kind: 'bad-section'; readonly line: number; readonly text: string; readonly name: string }
  /** `key = value`, or a bare word (value undefined) such as `UseSyslog`. */
  | { readonly kind: 'directive'; readonly line: number; readonly key: string; readonly value: string | undefined };

export function splitConfigLines(text: string): ConfigLine[] {
  const out: ConfigLine[] = [];
  const lines = text.replace(/^\ufeff/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    if (t.startsWith('[')) {
      if (t.endsWith(']')) out.push({ kind: 'section', line, name: t.slice(1, -1) });
      else {
        const close = t.indexOf(']');
        out.push({ kind: 'bad-section', line, text: t, name: close < 0 ? t.slice(1) : t.slice(1, close) });
      }
      return;
    }
    const eq = t.indexOf('=');
    if (eq < 0) out.push({ kind: 'directive', line, key: t, value: undefined });
    else out.push({ kind: 'directive', line, key: t.slice(0, eq).trim(), value: t.slice(eq + 1).trim() });
  });
  return out;
}
