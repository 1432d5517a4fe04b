/**
 * Filter text from a request, parsed with core's filter language, and store errors that are the
 * caller's mistake (a bad cursor) turned into 400s naming the parameter.
 */
import { type AuditFilter, AuditFilterError, parseAuditFilter } from '@auditkit/core';
import { ConsoleError } from './errors';

/** Parses `q`; a filter that does not parse is a 400 naming `querystring/q` and the term at fault. */
export function parseFilterParam(text: string | undefined, field = 'querystring/q'): AuditFilter {
  try {
    return parseAuditFilter(text ?? '');
  } catch (error) {
    if (error instanceof AuditFilterError || error instanceof TypeError || error instanceof RangeError)
      throw new ConsoleError(400, `${field} ${error.message}`, [{ field, message: error.message }]);
    throw error;
  }
}

/** Runs a store call; its complaints about the cursor or the query values become 400s. */
export async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asBadRequest(error);
  }
}

export function asBadRequest(error: unknown): unknown {
  if (!(error instanceof TypeError || error instanceof RangeError || error instanceof AuditFilterError))
    return error;
  const field = /cursor/.test(error.message)
    ? 'querystring/cursor'
    : /limit|pageSize/.test(error.message)
      ? 'querystring/limit'
      : 'querystring/q';
  return new ConsoleError(400, `${field} ${error.message}`, [{ field, message: error.message }]);
}
