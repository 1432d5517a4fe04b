/**
 * A search page's reply body built from the events' stored JSON text: the same bytes
 * `JSON.stringify({ events, nextCursor })` makes of the parsed page, without parsing each event
 * and serializing it again.
 */
import type { AuditLinesPage } from '@auditkit/core';

export function pageJson(page: AuditLinesPage): string {
  const cursor = page.nextCursor === undefined ? '' : `,"nextCursor":${JSON.stringify(page.nextCursor)}`;
  return `{"events":[${page.lines.join(',')}]${cursor}}`;
}
