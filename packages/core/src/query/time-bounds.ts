/** Time bounds of a filter: absolute ISO-8601 times and presets relative to now (`15m`, `24h`, `7d`). */

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PRESET = /^(\d{1,9})(s|m|h|d|w)$/;
/** A date, or a date and time with an optional zone (none means UTC). */
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The time a bound stands for as an ISO string, or undefined when `text` is neither a preset
 * (`24h` = 24 hours before `now`), `now`, nor an ISO-8601 date or time.
 */
export function timeBound(text: string, now: Date): string | undefined {
  const preset = PRESET.exec(text);
  if (preset) return new Date(now.getTime() - Number(preset[1]) * UNIT_MS[preset[2]!]!).toISOString();
  if (text.toLowerCase() === 'now') return now.toISOString();
  if (!ISO.test(text)) return undefined;
  const zoned =
    text.length > 10 && !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const at = new Date(zoned.replace(' ', 'T'));
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** An ISO string for a Date or an ISO string, or undefined when it is not a valid time. */
export function isoTime(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return typeof value === 'string' && ISO.test(value) ? timeBound(value, new Date(0)) : undefined;
}

/** The later of two lower bounds (both narrow the range). */
export function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** The earlier of two upper bounds. */
export function earlierOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}
