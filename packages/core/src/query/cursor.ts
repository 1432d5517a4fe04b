/**
 * Opaque `(time, id)` cursors. A cursor names the last event of a page, the order, and a digest
 * of the filter and tenant it was made for: one made for another filter, tenant or order, or
 * altered on the way, is refused rather than silently paging something else.
 */
import { createHash } from 'node:crypto';
import type { AuditFilter, AuditOrder } from '../types';

export interface CursorPosition {
  /** ISO time with milliseconds, as events carry it. */
  time: string;
  id: string;
}

const VERSION = 1;
const MAX_ID = 256;

/** Digest of what a cursor is valid for; time bounds are left out, as `since:24h` moves between pages. */
export function cursorScope(filter: AuditFilter, tenant: string | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify([tenant ?? null, filter.terms, filter.text ?? []]))
    .digest('base64url')
    .slice(0, 16);
}

export function encodeCursor(at: CursorPosition, order: AuditOrder, scope: string): string {
  const body = JSON.stringify([VERSION, order, at.time, at.id, scope]);
  return `${Buffer.from(body).toString('base64url')}.${check(body)}`;
}

/** The position a cursor names; throws a TypeError (`<store>: invalid cursor (…)`) otherwise. */
export function decodeCursor(
  cursor: unknown,
  order: AuditOrder,
  scope: string,
  store: string,
): CursorPosition {
  const invalid = (why: string) => new TypeError(`${store}: invalid cursor (${why})`);
  if (typeof cursor !== 'string' || cursor.length > 1024) throw invalid('not a cursor string');
  const [encoded, sum, extra] = cursor.split('.');
  if (!encoded || !sum || extra !== undefined) throw invalid('malformed');
  const body = Buffer.from(encoded, 'base64url').toString('utf8');
  if (check(body) !== sum) throw invalid('altered or truncated');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw invalid('malformed');
  }
  if (!Array.isArray(parsed) || parsed[0] !== VERSION) throw invalid('unknown version');
  const [, madeFor, time, id, madeScope] = parsed as unknown[];
  if (madeFor !== order) throw invalid(`made for order ${String(madeFor)}, not ${order}`);
  if (madeScope !== scope) throw invalid('made for another filter or tenant');
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time)) || new Date(time).toISOString() !== time)
    throw invalid('bad time');
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID || id.includes('\0'))
    throw invalid('bad id');
  return { time, id };
}

/** Catches accidental damage and casual edits; the tenant wall never depends on it. */
function check(body: string): string {
  return createHash('sha256').update(`auditkit.cursor.v1\n${body}`).digest('base64url').slice(0, 10);
}
