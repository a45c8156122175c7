// Door ids for list, set and chain names. A door's name is any text (the
// `[name]` header), so it is reduced to letters, digits and _ and cut to 16
// characters, short enough for iptables chain names (28) with a prefix and a
// suffix; doors that come out the same are numbered.

const MAX = 16;

export function doorIds(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let base = name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, MAX);
    if (!/^[A-Za-z]/.test(base)) base = `d${base}`.slice(0, MAX);
    let id = base;
    for (let n = 2; used.has(id.toLowerCase()); n++) id = `${base.slice(0, MAX - String(n).length - 1)}_${n}`;
    // Compared without case, so no two ids differ only in case (hard to tell apart in /proc/net/xt_recent).
    used.add(id.toLowerCase());
    return id;
  });
}
