/**
 * The events table's queryable columns: how each is read from an event, in SQL and in the process.
 * The table's last column, `event`, holds the event's JSON line itself.
 */
import type { AuditEvent } from '@auditkit/core/store';

export interface Column {
  name: string;
  /** Read by the database from the parsed event `e`, for the INSERT path. */
  sql: string;
  /** Read by the process from the event, for the COPY path; `undefined` is NULL. */
  read(e: AuditEvent): unknown;
}

/** In table order. */
export const COLUMNS: readonly Column[] = [
  { name: 'id', sql: `e->>'id'`, read: (e) => e.id },
  { name: 'time', sql: `(e->>'time')::timestamptz`, read: (e) => e.time },
  { name: 'tenant', sql: `e->>'tenant'`, read: (e) => e.tenant },
  { name: 'type', sql: `e->>'type'`, read: (e) => e.type },
  { name: 'category', sql: `e->>'category'`, read: (e) => e.category },
  { name: 'action', sql: `e->>'action'`, read: (e) => e.action },
  { name: 'outcome', sql: `e->>'outcome'`, read: (e) => e.outcome },
  { name: 'severity', sql: `e->>'severity'`, read: (e) => e.severity },
  { name: 'actor_id', sql: `e->'actor'->>'id'`, read: (e) => e.actor?.id },
  { name: 'resource_type', sql: `e->'resource'->>'type'`, read: (e) => e.resource?.type },
  { name: 'resource_id', sql: `e->'resource'->>'id'`, read: (e) => e.resource?.id },
  { name: 'correlation_id', sql: `e->>'correlationId'`, read: (e) => e.correlationId },
  { name: 'chain', sql: `e->'integrity'->>'chain'`, read: (e) => e.integrity?.chain },
  { name: 'seq', sql: `(e->'integrity'->>'seq')::bigint`, read: (e) => e.integrity?.seq },
];
