/**
 * Who watched the watchers: every search, export, proof, stream subscription and failed
 * authentication is itself an audit event (`console.*`), recorded through the server's logger.
 */
import type { Actor, AuditInput, AuditLogger, Outcome, Severity } from '@auditkit/core';
import type { ApiKeyInfo } from './types';

/** The caller of one request: the key it authenticated with (if any) and where it came from. */
export interface Caller {
  key: ApiKeyInfo | undefined;
  ip: string;
  userAgent: string | undefined;
}

/** The console's event types and what each one is. */
const KINDS = {
  'auth.failed': { category: 'authentication', action: 'login', severity: 'warning' },
  'access.denied': { category: 'authorization', action: 'read', severity: 'warning' },
  search: { category: 'data', action: 'read', severity: 'info' },
  'event.read': { category: 'data', action: 'read', severity: 'info' },
  stats: { category: 'data', action: 'read', severity: 'info' },
  retention: { category: 'data', action: 'read', severity: 'info' },
  export: { category: 'data', action: 'export', severity: 'notice' },
  'export.finished': { category: 'data', action: 'export', severity: 'notice' },
  proof: { category: 'compliance', action: 'read', severity: 'info' },
  integrity: { category: 'compliance', action: 'execute', severity: 'info' },
  'stream.subscribe': { category: 'data', action: 'read', severity: 'info' },
  'stream.closed': { category: 'data', action: 'read', severity: 'info' },
  ingest: { category: 'data', action: 'create', severity: 'info' },
  report: { category: 'compliance', action: 'export', severity: 'notice' },
} as const satisfies Record<string, { category: string; action: string; severity: Severity }>;

export type ConsoleEventKind = keyof typeof KINDS;

function actorOf(caller: Caller): Partial<Actor> {
  const actor: Partial<Actor> = caller.key
    ? { type: 'service', id: `apikey:${caller.key.id}`, roles: caller.key.scopes }
    : { type: 'anonymous' };
  actor.ip = caller.ip;
  if (caller.userAgent) actor.userAgent = caller.userAgent;
  return actor;
}

export class ConsoleAudit {
  readonly #logger: AuditLogger;

  constructor(logger: AuditLogger) {
    this.#logger = logger;
  }

  /** Records one console event; never throws (the logger never does). */
  record(
    kind: ConsoleEventKind,
    caller: Caller,
    fields: { outcome?: Outcome; message?: string; details?: Record<string, unknown> } = {},
  ): void {
    const k = KINDS[kind];
    const failed = fields.outcome === 'failure';
    const input: AuditInput = {
      type: `console.${kind}`,
      category: k.category,
      action: k.action,
      outcome: fields.outcome ?? 'success',
      severity: failed && k.severity === 'info' ? 'warning' : k.severity,
      actor: actorOf(caller),
      resource: { type: 'audit-trail' },
    };
    const tenant = caller.key?.tenant;
    if (tenant && tenant !== '*') input.tenant = tenant;
    if (fields.message) input.message = fields.message;
    if (fields.details) input.details = fields.details;
    this.#logger.log(input);
  }
}
