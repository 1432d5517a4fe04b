/** Bounds on a filter, so one request cannot make a store or a stream do unbounded work. */
export const FILTER_LIMITS = {
  /** Characters of filter text. */
  textLength: 4096,
  /** Terms (and free-text words) in one filter. */
  terms: 64,
  /** Values of one term (`type:a,b,c`). */
  values: 100,
  /** Characters of one value. */
  valueLength: 512,
} as const;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
