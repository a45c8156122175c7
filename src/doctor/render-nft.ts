// libnftables JSON expressions and statements back to nft's own syntax, for
// messages: what `nft list ruleset` would print, near enough to find the rule.

type J = Record<string, unknown>;

export function render(e: J): string {
  const [k, v] = Object.entries(e)[0] ?? [];
  const b = v as J;
  switch (k) {
    case 'match': {
      const op = b['op'] === '==' || b['op'] === 'in' ? '' : `${String(b['op'])} `;
      return `${renderExpr(b['left'])} ${op}${renderExpr(b['right'], isIfname(b['left']))}`;
    }
    case 'accept': case 'drop': case 'return': case 'continue': case 'queue': case 'counter': return k === 'counter' ? '' : k;
    case 'jump': case 'goto': return `${k} ${String(b['target'])}`;
    case 'reject': return b && b['type'] ? `reject with ${String(b['type'])}${b['expr'] ? ` ${renderExpr(b['expr'])}` : ''}` : 'reject';
    case 'log': return b && b['prefix'] ? `log prefix "${String(b['prefix'])}"` : 'log';
    case 'limit': return `limit rate ${b['inv'] ? 'over ' : ''}${String(b['rate'])}/${String(b['per'])}`;
    case 'dnat': return `dnat to ${renderExpr(b['addr'])}${b['port'] !== undefined ? `:${renderExpr(b['port'])}` : ''}`;
    case 'redirect': return `redirect to :${renderExpr(b['port'])}`;
    case 'xt': return `xt ${String(b['name'])}`;
    case 'vmap': {
      if (typeof b['data'] === 'string') return `${renderExpr(b['key'])} vmap ${b['data']}`;
      const entries = (((b['data'] as J | undefined)?.['set'] ?? []) as unknown[][]).map(([key, t]) => `${renderExpr(key)} : ${render(t as J)}`);
      return `${renderExpr(b['key'])} vmap { ${entries.join(', ')} }`;
    }
    default: return k ?? '';
  }
}

function isIfname(left: unknown): boolean {
  const key = ((left as J | null)?.['meta'] as J | undefined)?.['key'];
  return key === 'iifname' || key === 'oifname';
}

export function renderExpr(v: unknown, quote = false): string {
  if (typeof v === 'string') return quote ? `"${v}"` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => renderExpr(x, quote)).join(',');
  const o = v as J | null;
  if (!o) return '';
  const [k, b] = Object.entries(o)[0] ?? [];
  const body = b as J;
  switch (k) {
    case 'payload': return body['protocol'] ? `${String(body['protocol'])} ${String(body['field'])}` : 'payload';
    case 'meta': return ['iif', 'iifname', 'oif', 'oifname'].includes(String(body['key'])) ? String(body['key']) : `meta ${String(body['key'])}`;
    case 'ct': return `ct ${String(body['key'])}`;
    case 'fib': return `fib ${((body['flags'] as string[] | undefined) ?? []).join(' . ')} ${String(body['result'])}`;
    case 'concat': return (b as unknown[]).map((x) => renderExpr(x)).join(' . ');
    case 'set': return `{ ${(b as unknown[]).map((x) => renderExpr(x, quote)).join(', ')} }`;
    case 'range': return (b as unknown[]).map((x) => renderExpr(x)).join('-');
    case 'prefix': return `${String(body['addr'])}/${String(body['len'])}`;
    case 'elem': return renderExpr(body['val'], quote);
    case '&': case '|': return (b as unknown[]).map((x) => renderExpr(x)).join(` ${k} `);
    default: return k ?? '';
  }
}
