/** The flat row of an event for CSV and tables: one column list for every export (CLI and server). */
import type { AuditEvent } from '../types';

export const EXPORT_COLUMNS = [
  'id',
  'time',
  'tenant',
  'type',
  'category',
  'action',
  'outcome',
  'severity',
  'actor_type',
  'actor_id',
  'resource_type',
  'resource_id',
  'request_id',
  'correlation_id',
  'trace_id',
  'message',
  'source_service',
  'chain',
  'seq',
  'hash',
] as const;

/** The event's values in `EXPORT_COLUMNS` order; absent fields are empty strings. */
export function exportRow(e: AuditEvent): string[] {
  const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return [
    e.id,
    e.time,
    s(e.tenant),
    e.type,
    e.category,
    e.action,
    e.outcome,
    e.severity,
    s(e.actor?.type),
    s(e.actor?.id),
    s(e.resource?.type),
    s(e.resource?.id),
    s(e.request?.id),
    s(e.correlationId),
    s(e.traceId),
    s(e.message),
    s(e.source?.service),
    s(e.integrity?.chain),
    s(e.integrity?.seq),
    s(e.integrity?.hash),
  ];
}
