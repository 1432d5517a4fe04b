import type { AuditEvent, Severity } from '@auditkit/core/store';

/** OCSF schema version the mapping follows. */
export const OCSF_VERSION = '1.3.0';

const API_ACTIVITY = { class_uid: 6003, class_name: 'API Activity', category_uid: 6 } as const;

const ACTIVITY: Record<string, [number, string]> = {
  create: [1, 'Create'],
  read: [2, 'Read'],
  export: [2, 'Read'],
  update: [3, 'Update'],
  delete: [4, 'Delete'],
};

const SEVERITY: Record<Severity, [number, string]> = {
  debug: [1, 'Informational'],
  info: [1, 'Informational'],
  notice: [2, 'Low'],
  warning: [3, 'Medium'],
  error: [4, 'High'],
  critical: [5, 'Critical'],
};

const STATUS: Record<string, [number, string]> = {
  success: [1, 'Success'],
  failure: [2, 'Failure'],
  unknown: [0, 'Unknown'],
};

export interface OcsfOptions {
  /** `cloud.provider`, required by the API Activity class. Default `self-hosted`. */
  cloudProvider?: string;
  /** `cloud.region`. Default none. */
  cloudRegion?: string;
}

/**
 * Maps an audit event to an OCSF API Activity (class 6003) event. The auditkit event itself, with
 * its integrity seal, is kept under `unmapped.auditkit` so nothing is lost in translation.
 */
export function toOcsf(e: AuditEvent, options: OcsfOptions = {}): Record<string, unknown> {
  const [activityId, activityName] = ACTIVITY[e.action] ?? [99, 'Other'];
  const [severityId, severity] = SEVERITY[e.severity] ?? [99, 'Other'];
  const [statusId, status] = STATUS[e.outcome] ?? [0, 'Unknown'];
  const r = e.request;
  const user: Record<string, unknown> = { type_id: e.actor.type === 'user' ? 1 : 99 };
  if (e.actor.id) user.uid = e.actor.id;
  if (e.actor.email) user.email_addr = e.actor.email;
  if (e.actor.roles) user.groups = e.actor.roles.map((name) => ({ name }));
  const event: Record<string, unknown> = {
    ...API_ACTIVITY,
    category_name: 'Application Activity',
    activity_id: activityId,
    activity_name: activityName,
    type_uid: API_ACTIVITY.class_uid * 100 + activityId,
    type_name: `API Activity: ${activityName}`,
    time: Date.parse(e.time),
    severity_id: severityId,
    severity,
    status_id: statusId,
    status,
    message: e.message,
    metadata: {
      version: OCSF_VERSION,
      uid: e.id,
      correlation_uid: e.correlationId,
      tenant_uid: e.tenant,
      product: { name: 'auditkit', vendor_name: 'auditkit' },
      log_name: e.type,
    },
    actor: {
      user,
      ...(e.actor.sessionId ? { session: { uid: e.actor.sessionId } } : {}),
      app_name: e.source.service,
    },
    api: {
      operation: e.type,
      service: { name: e.source.service, version: e.source.version },
      ...(r?.id ? { request: { uid: r.id } } : {}),
      ...(r?.status !== undefined || r?.grpcCode !== undefined
        ? { response: { code: r.status ?? r.grpcCode } }
        : {}),
    },
    cloud: { provider: options.cloudProvider ?? 'self-hosted', region: options.cloudRegion },
    src_endpoint: { ip: e.actor.ip },
    resources: e.resource ? [{ type: e.resource.type, uid: e.resource.id, name: e.resource.name }] : [],
    unmapped: { auditkit: e },
  };
  if (r?.protocol === 'http') {
    event.http_request = {
      http_method: r.method,
      url: { path: r.path },
      user_agent: e.actor.userAgent,
      uid: r.id,
    };
  }
  if (e.traceId) event.trace = { uid: e.traceId, span: e.spanId ? { uid: e.spanId } : undefined };
  return JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
}
