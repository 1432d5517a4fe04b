import { type AuditEvent, createAuditLogger, memorySink } from '@auditkit/core';
import { compileFormat, toEcs, toOcsf } from '@auditkit/siem';

async function recorded(): Promise<AuditEvent[]> {
  const sink = memorySink();
  const logger = createAuditLogger({
    service: 'billing',
    version: '1.4.0',
    flushOnExit: false,
    sinks: [sink],
  });
  logger.log({
    type: 'http.request',
    category: 'api',
    action: 'update',
    actor: {
      type: 'user',
      id: 'u-7',
      email: 'ann@example.com',
      roles: ['admin'],
      ip: '10.0.0.7',
      userAgent: 'curl/8',
    },
    tenant: 'acme',
    resource: { type: 'invoice', id: 'inv-9' },
    request: {
      id: 'req-1',
      protocol: 'http',
      method: 'PATCH',
      path: '/invoices/inv-9',
      status: 200,
      durationMs: 12.5,
      bytesIn: 40,
      bytesOut: 90,
    },
    compliance: ['SOX'],
  });
  logger.log({
    type: 'access.denied',
    category: 'authorization',
    action: 'read',
    outcome: 'failure',
    actor: { id: 'u-8' },
  });
  logger.log({
    type: 'auth.login',
    outcome: 'failure',
    severity: 'critical',
    error: new Error('bad password'),
  });
  await logger.close();
  return sink.events;
}

describe('formats', () => {
  it('maps to ECS with the auditkit event kept under auditkit.*', async () => {
    const [request, denied, login] = await recorded();
    const doc = toEcs(request!);
    expect(doc).toMatchObject({
      '@timestamp': request!.time,
      event: {
        id: request!.id,
        category: ['web'],
        type: ['change'],
        action: 'http.request',
        outcome: 'success',
        duration: 12_500_000,
        severity: 6,
      },
      user: { id: 'u-7', email: 'ann@example.com', roles: ['admin'] },
      source: { ip: '10.0.0.7' },
      user_agent: { original: 'curl/8' },
      organization: { id: 'acme' },
      http: {
        request: { id: 'req-1', method: 'PATCH', bytes: 40 },
        response: { status_code: 200, bytes: 90 },
      },
      url: { path: '/invoices/inv-9' },
      service: { name: 'billing', version: '1.4.0' },
      tags: ['SOX'],
      auditkit: { resource: { type: 'invoice', id: 'inv-9' } },
    });
    expect(toEcs(denied!)).toMatchObject({
      event: { category: ['iam'], type: ['denied'], outcome: 'failure' },
    });
    expect(toEcs(login!)).toMatchObject({
      event: { category: ['authentication'], severity: 2 },
      error: { message: 'bad password', type: 'Error' },
    });
    // ECS fields carry no nulls; the auditkit event under auditkit.* is kept as stored (prev may be null).
    expect(JSON.stringify({ ...doc, auditkit: undefined })).not.toMatch(/null/);
    expect(doc.auditkit).toMatchObject({ integrity: request!.integrity });
  });

  it('maps to an OCSF API Activity event with the required attributes', async () => {
    const [request, denied] = await recorded();
    const e = toOcsf(request!, { cloudProvider: 'AWS', cloudRegion: 'eu-central-1' });
    expect(e).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      activity_id: 3,
      type_uid: 600303,
      time: Date.parse(request!.time),
      severity_id: 1,
      status_id: 1,
      metadata: {
        version: expect.any(String),
        uid: request!.id,
        product: { name: 'auditkit' },
        tenant_uid: 'acme',
      },
      actor: { user: { uid: 'u-7', email_addr: 'ann@example.com', groups: [{ name: 'admin' }] } },
      api: {
        operation: 'http.request',
        request: { uid: 'req-1' },
        response: { code: 200 },
        service: { name: 'billing' },
      },
      cloud: { provider: 'AWS', region: 'eu-central-1' },
      src_endpoint: { ip: '10.0.0.7' },
      http_request: { http_method: 'PATCH', url: { path: '/invoices/inv-9' }, user_agent: 'curl/8' },
      resources: [{ type: 'invoice', uid: 'inv-9' }],
    });
    expect((e.unmapped as { auditkit: AuditEvent }).auditkit).toEqual(request);
    expect(toOcsf(denied!)).toMatchObject({
      activity_id: 2,
      status_id: 2,
      status: 'Failure',
      cloud: { provider: 'self-hosted' },
    });
  });

  it('resolves format options once and rejects unknown ones', async () => {
    const [event] = await recorded();
    expect(compileFormat(undefined)(event!)).toBe(event);
    expect(compileFormat('ecs')(event!)).toEqual(toEcs(event!));
    expect(compileFormat((e) => ({ only: e.id }))(event!)).toEqual({ only: event!.id });
    expect(() => compileFormat('cef' as never)).toThrow(/format must be/);
  });
});
