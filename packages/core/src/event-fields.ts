import type { AuditEvent } from './types';

/**
 * Every field of an event, declared once: `satisfies` makes the build fail when this list and the
 * `AuditEvent` type disagree; test/event-fields.test.ts checks the JSON Schema and the sealer's
 * fixed key order against it.
 */
export const EVENT_FIELDS = {
  v: 'required',
  id: 'required',
  time: 'required',
  type: 'required',
  category: 'required',
  action: 'required',
  outcome: 'required',
  severity: 'required',
  message: 'optional',
  actor: 'required',
  tenant: 'optional',
  resource: 'optional',
  request: 'optional',
  changes: 'optional',
  source: 'required',
  correlationId: 'optional',
  traceId: 'optional',
  spanId: 'optional',
  error: 'optional',
  details: 'optional',
  compliance: 'optional',
  integrity: 'optional',
  protected: 'optional',
  count: 'optional',
  lastTime: 'optional',
  repeatOf: 'optional',
} as const satisfies Record<keyof AuditEvent, 'required' | 'optional'>;

/** Fields only a dedup summary carries; the sealer's fixed key order leaves them to its generic path. */
export const SUMMARY_FIELDS = ['count', 'lastTime', 'repeatOf'] as const;
