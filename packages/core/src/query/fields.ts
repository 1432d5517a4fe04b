/** The fields the filter language knows: canonical names, the names people type, and how each is read. */
import { SEVERITIES } from '../admit/severity';
import type { AuditEvent, AuditFilterField, Outcome } from '../types';

/** How the matcher reads each field from an event; `undefined` is an absent field. */
export const FIELD_READERS: Readonly<Record<AuditFilterField, (e: AuditEvent) => unknown>> = {
  id: (e) => e.id,
  type: (e) => e.type,
  category: (e) => e.category,
  action: (e) => e.action,
  outcome: (e) => e.outcome,
  severity: (e) => e.severity,
  actor: (e) => e.actor?.id,
  'actor.type': (e) => e.actor?.type,
  tenant: (e) => e.tenant,
  'resource.type': (e) => e.resource?.type,
  'resource.id': (e) => e.resource?.id,
  correlation: (e) => e.correlationId,
  request: (e) => e.request?.id,
  trace: (e) => e.traceId,
  chain: (e) => e.integrity?.chain,
};

export const FILTER_FIELDS = Object.keys(FIELD_READERS) as AuditFilterField[];

const OUTCOMES: readonly Outcome[] = ['success', 'failure', 'unknown'];

/**
 * Fields whose values come from a closed set. Any other exact value matches no event, so a typo
 * (`outcome:failed`) is refused with the values it could be rather than answered with nothing.
 */
const CLOSED_VALUES: Partial<Record<AuditFilterField, readonly string[]>> = {
  outcome: OUTCOMES,
  severity: SEVERITIES,
};

/** The values `field` can hold when that is a closed set and `value` is not one of them; else undefined. */
export function outsideValues(field: AuditFilterField, value: string): readonly string[] | undefined {
  const allowed = CLOSED_VALUES[field];
  return allowed && !allowed.includes(value) ? allowed : undefined;
}

/** Other spellings people type (lower case), each standing for one field. */
const ALIASES: Readonly<Record<string, AuditFilterField>> = {
  'actor.id': 'actor',
  actorid: 'actor',
  actortype: 'actor.type',
  resourcetype: 'resource.type',
  resourceid: 'resource.id',
  correlationid: 'correlation',
  'correlation.id': 'correlation',
  requestid: 'request',
  'request.id': 'request',
  traceid: 'trace',
  'trace.id': 'trace',
  'integrity.chain': 'chain',
};

/** The field a typed name stands for, or undefined. */
export function fieldNamed(name: string): AuditFilterField | undefined {
  const lower = name.toLowerCase();
  if (Object.hasOwn(FIELD_READERS, lower)) return lower as AuditFilterField;
  return Object.hasOwn(ALIASES, lower) ? ALIASES[lower] : undefined;
}
