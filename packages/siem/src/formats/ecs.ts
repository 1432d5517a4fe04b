import type { Action, AuditEvent, Category } from '@auditkit/core/store';
import { SYSLOG_SEVERITY } from '../rfc5424';

/** ECS version the mapping follows. */
export const ECS_VERSION = '8.11.0';

const ECS_CATEGORY: Record<string, string[]> = {
  authentication: ['authentication'],
  authorization: ['iam'],
  data: ['database'],
  api: ['web'],
  security: ['intrusion_detection'],
  system: ['host'],
  admin: ['configuration'],
};

const ECS_TYPE: Record<string, string> = {
  create: 'creation',
  read: 'access',
  export: 'access',
  update: 'change',
  delete: 'deletion',
  login: 'start',
  logout: 'end',
};

function ecsTypes(category: Category, action: Action, outcome: string): string[] {
  if (category === 'authorization' && outcome === 'failure') return ['denied'];
  return [ECS_TYPE[action] ?? 'info'];
}

/** Copies the defined values of `source` onto a fresh object; ECS documents carry no nulls. */
function defined<T extends Record<string, unknown>>(source: T): Partial<T> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(source)) {
    if (v !== undefined) {
      out[k] = v;
      any = true;
    }
  }
  return any ? (out as Partial<T>) : undefined;
}

/**
 * Maps an audit event to the Elastic Common Schema. Fields ECS has no place for (resource,
 * changes, details, integrity, protected, correlation id) stay whole under `auditkit.*`, so the
 * sealed event can be rebuilt and verified from the document.
 */
export function toEcs(e: AuditEvent): Record<string, unknown> {
  const r = e.request;
  const doc: Record<string, unknown> = {
    '@timestamp': e.time,
    ecs: { version: ECS_VERSION },
    event: defined({
      id: e.id,
      kind: e.category === 'security' && e.type === 'security.anomaly' ? 'alert' : 'event',
      category: ECS_CATEGORY[e.category] ?? [],
      type: ecsTypes(e.category, e.action, e.outcome),
      action: e.type,
      outcome: e.outcome,
      severity: SYSLOG_SEVERITY[e.severity],
      dataset: 'auditkit.audit',
      module: 'auditkit',
      duration: r?.durationMs !== undefined ? Math.round(r.durationMs * 1e6) : undefined,
    }),
    message: e.message,
    log: { level: e.severity },
    user: defined({
      id: e.actor.id,
      email: e.actor.email,
      roles: e.actor.roles,
    }),
    source: e.actor.ip ? { ip: e.actor.ip } : undefined,
    user_agent: e.actor.userAgent ? { original: e.actor.userAgent } : undefined,
    organization: e.tenant ? { id: e.tenant } : undefined,
    service: defined({
      name: e.source.service,
      version: e.source.version,
      environment: e.source.environment,
      node: e.source.instance ? { name: e.source.instance } : undefined,
    }),
    host: e.source.host ? { name: e.source.host } : undefined,
    trace: e.traceId ? { id: e.traceId } : undefined,
    span: e.spanId ? { id: e.spanId } : undefined,
    tags: e.compliance,
    error: e.error
      ? defined({ message: e.error.message, type: e.error.name, code: e.error.code })
      : undefined,
    auditkit: defined({
      v: e.v,
      type: e.type,
      category: e.category,
      action: e.action,
      actor_type: e.actor.type,
      session_id: e.actor.sessionId,
      correlation_id: e.correlationId,
      resource: e.resource,
      request: r,
      changes: e.changes,
      details: e.details,
      integrity: e.integrity,
      protected: e.protected,
    }),
  };
  if (r?.protocol === 'http') {
    doc.http = defined({
      request: defined({ id: r.id, method: r.method, bytes: r.bytesIn }),
      response: defined({ status_code: r.status, bytes: r.bytesOut }),
    });
    if (r.path) doc.url = { path: r.path };
  }
  for (const key of Object.keys(doc)) if (doc[key] === undefined) delete doc[key];
  return doc;
}
