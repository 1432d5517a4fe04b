/** RFC 5424 syslog messages for audit events, with the key fields as structured data. */
import type { AuditEvent, Severity } from '@auditkit/core/store';

/** RFC 5424 §6.2.1 severities (ECS `event.severity` uses the same numbers). */
export const SYSLOG_SEVERITY: Record<Severity, number> = {
  debug: 7,
  info: 6,
  notice: 5,
  warning: 4,
  error: 3,
  critical: 2,
};

/** Facility 13: "log audit" (RFC 5424 table 1). */
export const LOG_AUDIT = 13;

const BOM = '\uFEFF';

export interface Rfc5424Options {
  /** Facility code 0..23. Default 13 (log audit). */
  facility: number;
  /** APP-NAME; default the event's `source.service`. */
  appName: string | undefined;
  /** Private enterprise number in the SD-ID `auditkit@<pen>`. */
  enterpriseId: number;
  /** PROCID field. */
  procId: string;
  /** Fallback HOSTNAME when the event has no `source.host`. */
  hostname: string;
  /** Prefix the MSG with a UTF-8 BOM, as RFC 5424 §6.4 asks for UTF-8 messages. */
  bom: boolean;
}

/** A header field: printable US-ASCII without spaces, capped, `-` when empty (RFC 5424 §6.2). */
function headerField(value: string | undefined, max: number): string {
  if (!value) return '-';
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length > 0 ? clean : '-';
}

/** PARAM-VALUE escaping (§6.3.3): `"`, `\` and `]` get a backslash. */
function paramValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** The SD parameters carried for every event; enough to route and search without parsing MSG. */
function params(e: AuditEvent): Array<[string, string | number | undefined]> {
  return [
    ['id', e.id],
    ['type', e.type],
    ['category', e.category],
    ['action', e.action],
    ['outcome', e.outcome],
    ['actorType', e.actor.type],
    ['actorId', e.actor.id],
    ['ip', e.actor.ip],
    ['tenant', e.tenant],
    ['resourceType', e.resource?.type],
    ['resourceId', e.resource?.id],
    ['requestId', e.request?.id],
    ['correlationId', e.correlationId],
    ['chain', e.integrity?.chain],
    ['seq', e.integrity?.seq],
    ['hash', e.integrity?.hash],
  ];
}

export function structuredData(e: AuditEvent, enterpriseId: number, truncated = false): string {
  let sd = `[auditkit@${enterpriseId}`;
  for (const [key, value] of params(e)) {
    if (value !== undefined && value !== '') sd += ` ${key}="${paramValue(String(value))}"`;
  }
  if (truncated) sd += ' truncated="true"';
  return `${sd}]`;
}

/** PRI, VERSION, TIMESTAMP, HOSTNAME, APP-NAME, PROCID and MSGID, ending in a space. */
export function header(e: AuditEvent, o: Rfc5424Options): string {
  const pri = o.facility * 8 + (SYSLOG_SEVERITY[e.severity] ?? 6);
  return `<${pri}>1 ${e.time} ${headerField(e.source.host ?? o.hostname, 255)} ${headerField(
    o.appName ?? e.source.service,
    48,
  )} ${headerField(o.procId, 128)} ${headerField(e.type, 32)} `;
}

/**
 * One message: header, structured data, then MSG (the formatted event as JSON). With `maxBytes`,
 * an oversized MSG is cut and the SD says `truncated="true"`; the SD itself is never cut.
 */
export function formatRfc5424(e: AuditEvent, body: unknown, o: Rfc5424Options, maxBytes?: number): string {
  const head = header(e, o);
  const msg = `${o.bom ? BOM : ''}${typeof body === 'string' ? body : JSON.stringify(body)}`;
  const full = `${head}${structuredData(e, o.enterpriseId)} ${msg}`;
  if (maxBytes === undefined || Buffer.byteLength(full) <= maxBytes) return full;
  const prefix = `${head}${structuredData(e, o.enterpriseId, true)} `;
  const room = maxBytes - Buffer.byteLength(prefix);
  if (room <= 0) return prefix.trimEnd();
  // Cut on a byte budget without splitting a UTF-8 sequence.
  return (
    prefix +
    Buffer.from(msg)
      .subarray(0, room)
      .toString('utf8')
      .replace(/\uFFFD$/, '')
  );
}
