import { asList } from '../option-check';

/** What can exclude a path or event type: exact strings, globs (`*` one segment, `**` any), regexes. */
export type Pattern = string | RegExp;

/** Converts a glob to an anchored RegExp: `*` matches within one segment, `**` across segments. */
function globToRegExp(glob: string, separator: '/' | '.'): RegExp {
  const segment = separator === '/' ? '[^/]' : '[^.]';
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else {
        source += `${segment}*`;
      }
    } else if (c === '?') {
      source += segment;
    } else {
      source += c.replace(/[\\^$+?.()|[\]{}]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/**
 * Compiles patterns once into a single test. Exact strings go into a Set; globs become RegExps;
 * RegExps are used as given. A single pattern is one pattern, never a list of its characters.
 * `separator` is `/` for paths and `.` for event types.
 */
export function compilePatterns(
  patterns: Pattern | readonly Pattern[] | undefined,
  separator: '/' | '.',
): (value: string) => boolean {
  const list = asList(patterns);
  if (list.length === 0) return () => false;
  const exact = new Set<string>();
  const regexps: RegExp[] = [];
  for (const p of list) {
    if (p instanceof RegExp) regexps.push(new RegExp(p.source, p.flags.replace(/[gy]/g, '')));
    else if (typeof p === 'string' && /[*?]/.test(p)) regexps.push(globToRegExp(p, separator));
    else if (typeof p === 'string') exact.add(p);
    else throw new TypeError(`auditkit: exclude patterns must be strings or RegExps, got ${typeof p}`);
  }
  return (value) => {
    if (exact.has(value)) return true;
    for (const r of regexps) if (r.test(value)) return true;
    return false;
  };
}
