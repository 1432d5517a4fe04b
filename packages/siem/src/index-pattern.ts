const TOKEN = /\{([^}]+)\}/g;

/**
 * Compiles an index name with date placeholders taken from the event time (UTC):
 * `audit-{yyyy.MM.dd}` → `audit-2026.11.24`; `{yyyy}`, `{MM}`, `{dd}` may appear in any braces.
 */
export function compileIndexPattern(pattern: string): (time: string) => string {
  if (typeof pattern !== 'string' || pattern.length === 0)
    throw new TypeError('auditkit: index must be a non-empty string');
  if (!TOKEN.test(pattern)) return () => pattern;
  TOKEN.lastIndex = 0;
  const cache = new Map<string, string>();
  return (time) => {
    const day = time.slice(0, 10); // ISO date: yyyy-MM-dd
    let name = cache.get(day);
    if (name === undefined) {
      const [yyyy = '1970', MM = '01', dd = '01'] = day.split('-');
      name = pattern.replace(TOKEN, (_, spec: string) =>
        spec.replace(/yyyy/g, yyyy).replace(/MM/g, MM).replace(/dd/g, dd),
      );
      if (cache.size > 64) cache.clear();
      cache.set(day, name);
    }
    return name;
  };
}
