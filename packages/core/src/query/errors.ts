/** Errors of the filter language and the query options: a caller's mistake, worded for the caller. */

/** A filter text that does not parse: `position` is the offset of the term at fault in the text. */
export class AuditFilterError extends Error {
  override readonly name = 'AuditFilterError';
  constructor(
    message: string,
    readonly position: number,
    readonly term: string,
  ) {
    super(message);
  }
}

/** `the string "x"`, `the number 5`, `an object`: what was given, for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `the ${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}
