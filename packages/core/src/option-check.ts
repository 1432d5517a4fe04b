/**
 * The one validator for options objects: the logger's and every adapter's. Each option is declared
 * once as a spec (what it must be, in words, and how to tell); `checkOptions` walks a value against
 * its shape at construction and throws an `AuditOptionError` naming the option's full path, what was
 * expected, what was given (with its type) and, for an unknown key, the nearest known one.
 */

/** A wrong option: a TypeError whose `option` is the full path (`redact.paths[2]`). */
export class AuditOptionError extends TypeError {
  readonly code = 'AUDITKIT_INVALID_OPTION';
  constructor(
    message: string,
    readonly option: string,
  ) {
    super(message);
  }
}

/** How one option is checked. `accepts` is the shallow type test a union chooses its branch by. */
export interface OptionSpec {
  /** What the option must be, as the end of "must be …": `a number from 0 to 1`. */
  readonly expected: string;
  readonly accepts: (value: unknown) => boolean;
  /** Deeper checks (items, keys, ranges); `path` names the value in messages. */
  readonly check?: (value: unknown, path: string, where: string) => void;
  readonly required?: boolean;
}

/** The options an object may have, by key. */
export type OptionShape = Readonly<Record<string, OptionSpec>>;

/** `the string "0.1"`, `the number 5`, `an array of 2 items`: a value with its type, for messages. */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string': {
        const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
        return `the string ${JSON.stringify(shown)}`;
      }
      case 'number':
      case 'boolean':
        return `the ${typeof value} ${String(value)}`;
      case 'bigint':
        return `the bigint ${value}n`;
      case 'symbol':
        return 'a symbol';
      case 'function':
        return 'a function';
      case 'undefined':
        return 'undefined';
    }
    if (value === null) return 'null';
    if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
    if (value instanceof RegExp) return `the RegExp ${String(value)}`;
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return 'an object';
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object';
  } catch {
    return 'an unreadable value';
  }
}

/** `where` is the function the options were given to (`createAuditLogger`, `auditMiddleware`). */
export function optionError(where: string, path: string, expected: string, value: unknown): AuditOptionError {
  return new AuditOptionError(
    `auditkit: ${where} option ${path} must be ${expected}, got ${describeValue(value)}`,
    path,
  );
}

/** A problem other than a value's shape (a repeated name, a missing companion option), at `path`. */
export function optionProblem(where: string, path: string, text: string): AuditOptionError {
  return new AuditOptionError(`auditkit: ${where} option ${text}`, path);
}

/** Optimal string alignment distance: edits, counting a swap of neighbours (`exlcude`) as one. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key nearest to `key`, when it is near enough to be what was meant. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const limit = key.length <= 4 ? 1 : key.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Checks `value` (an options object) against `shape`; throws on the first problem. */
export function checkOptions(value: unknown, shape: OptionShape, where: string): void {
  if (value === undefined) return;
  if (!isPlainObject(value))
    throw new AuditOptionError(
      `auditkit: ${where} options must be an object, got ${describeValue(value)}`,
      '',
    );
  checkShape(value, shape, '', where);
}

/** Checks one option's value against its spec (for options that are not part of a shape). */
export function checkOption(value: unknown, spec: OptionSpec, path: string, where: string): void {
  checkValue(value, spec, path, where);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RegExp);
}

function checkShape(value: Record<string, unknown>, shape: OptionShape, path: string, where: string): void {
  const known = Object.keys(shape);
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(shape, key)) continue;
    const full = join(path, key);
    const near = nearestKey(key, known);
    const hint = near
      ? `did you mean ${join(path, near)}?`
      : `known options${path ? ` of ${path}` : ''}: ${known.join(', ')}`;
    throw new AuditOptionError(
      `auditkit: ${where} option ${full} is unknown (got ${describeValue(value[key])}); ${hint}`,
      full,
    );
  }
  for (const key of known) checkValue(value[key], shape[key]!, join(path, key), where);
}

function checkValue(value: unknown, spec: OptionSpec, path: string, where: string): void {
  if (value === undefined) {
    if (spec.required) throw optionError(where, path, spec.expected, value);
    return;
  }
  if (!spec.accepts(value)) throw optionError(where, path, spec.expected, value);
  spec.check?.(value, path, where);
}

/** Spec builders. Every option of every options object is declared with these. */
export const option = {
  string(opts: { nonEmpty?: boolean } = {}): OptionSpec {
    return opts.nonEmpty
      ? { expected: 'a non-empty string', accepts: (v) => typeof v === 'string' && v !== '' }
      : { expected: 'a string', accepts: (v) => typeof v === 'string' };
  },

  boolean(): OptionSpec {
    return { expected: 'a boolean', accepts: (v) => typeof v === 'boolean' };
  },

  function(): OptionSpec {
    return { expected: 'a function', accepts: (v) => typeof v === 'function' };
  },

  /** A finite number; `min`/`max` inclusive, `above` exclusive. */
  number(opts: { min?: number; max?: number; above?: number; integer?: boolean } = {}): OptionSpec {
    const kind = opts.integer ? 'an integer' : opts.max === undefined ? 'a finite number' : 'a number';
    const expected =
      opts.min !== undefined && opts.max !== undefined
        ? `${kind} from ${opts.min} to ${opts.max}`
        : opts.above !== undefined
          ? `${kind} > ${opts.above}`
          : opts.min !== undefined
            ? `${kind} >= ${opts.min}`
            : kind;
    return {
      expected,
      accepts: (v) =>
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (!opts.integer || Number.isInteger(v)) &&
        (opts.min === undefined || v >= opts.min) &&
        (opts.max === undefined || v <= opts.max) &&
        (opts.above === undefined || v > opts.above),
    };
  },

  /** One of a fixed set of values (strings, booleans). */
  oneOf(values: readonly unknown[]): OptionSpec {
    const shown = values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
    const expected =
      shown.length === 1 ? shown[0]! : `one of ${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
    return { expected, accepts: (v) => values.includes(v) };
  },

  /** Exact strings, globs or RegExps: one pattern, or a list of them. */
  patterns(): OptionSpec {
    return listOf(
      { expected: 'a string or a RegExp', accepts: isPattern },
      'a string, a RegExp or an array of them',
    );
  },

  /** One string, or a list of them. */
  strings(opts: { nonEmpty?: boolean } = {}): OptionSpec {
    return listOf(
      option.string(opts),
      `${opts.nonEmpty ? 'a non-empty string' : 'a string'} or an array of them`,
    );
  },

  /** An array whose every item matches `item`. */
  arrayOf(item: OptionSpec, expected = `an array of ${plural(item.expected)}`): OptionSpec {
    return {
      expected,
      accepts: Array.isArray,
      check: (v, path, where) => {
        (v as unknown[]).forEach((x, i) => {
          checkValue(x, { ...item, required: true }, `${path}[${i}]`, where);
        });
      },
    };
  },

  /** A nested options object with its own known keys. */
  object(shape: OptionShape, expected = 'an object'): OptionSpec {
    return {
      expected,
      accepts: isPlainObject,
      check: (v, path, where) => checkShape(v as Record<string, unknown>, shape, path, where),
    };
  },

  /** An object of any keys whose values all match `item` (`detect.tenants`). */
  recordOf(item: OptionSpec, expected = 'an object'): OptionSpec {
    return {
      expected,
      accepts: isPlainObject,
      check: (v, path, where) => {
        for (const [key, x] of Object.entries(v as Record<string, unknown>))
          checkValue(x, { ...item, required: true }, join(path, key), where);
      },
    };
  },

  /** Any of several specs; the first whose `accepts` matches checks the value. */
  anyOf(...specs: OptionSpec[]): OptionSpec {
    const expected =
      specs.length === 2
        ? `${specs[0]!.expected} or ${specs[1]!.expected}`
        : `${specs
            .slice(0, -1)
            .map((s) => s.expected)
            .join(', ')} or ${specs.at(-1)!.expected}`;
    return {
      expected,
      accepts: (v) => specs.some((s) => s.accepts(v)),
      check: (v, path, where) => specs.find((s) => s.accepts(v))!.check?.(v, path, where),
    };
  },

  /** Anything `accepts` recognizes (a sink, a key object), described as `expected`. */
  custom(expected: string, accepts: (value: unknown) => boolean): OptionSpec {
    return { expected, accepts };
  },

  /** The same spec, but the option must be given. */
  required(spec: OptionSpec): OptionSpec {
    return { ...spec, required: true };
  },
};

function isPattern(v: unknown): boolean {
  return typeof v === 'string' || v instanceof RegExp;
}

/** `a string` → `strings`, for `an array of …`. */
function plural(expected: string): string {
  return expected.replace(/^an? (\S+)/, (_, noun: string) => `${noun}s`);
}

/** One item or an array of items: a single item is never iterated as if it were a list. */
function listOf(item: OptionSpec, expected: string): OptionSpec {
  const array = option.arrayOf(item);
  return {
    expected,
    accepts: (v) => item.accepts(v) || Array.isArray(v),
    check: (v, path, where) => {
      if (Array.isArray(v)) array.check!(v, path, where);
    },
  };
}

/** `{ maxEvents: undefined }` means "the default", as if the key were absent. */
export function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** A single value or a list as a list: `'/health'` is one pattern, not seven characters. */
export function asList<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value as T];
}
