import { expectOneEvent, memoryLogger, runConcurrently } from '@auditkit/test-utils';
import { type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s', (platform) => {
  it('records one http.request per request with the outcome of the exception that ended it', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, {
      logger,
      actor: (req) => ({ id: req.headers['x-user'] as string }),
    });
    const ok = await call('GET', '/users/1', undefined, { 'x-request-id': 'r-1', 'x-user': 'u-9' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('r-1');
    expect((await call('GET', '/users/404')).status).toBe(404);
    expect((await call('GET', '/users/boom/now')).status).toBe(500);
    expect((await call('GET', '/users/health/check')).status).toBe(200);
    await app.close();
    await logger.close();
    expect(
      expectOneEvent(sink.events, (e) => e.type === 'http.request' && e.request?.id === 'r-1'),
    ).toMatchObject({
      outcome: 'success',
      actor: { id: 'u-9' },
      request: { method: 'GET', path: '/users/1', route: '/users/:id', status: 200 },
    });
    expect(
      expectOneEvent(sink.events, (e) => e.type === 'user.viewed' && e.request?.id === 'r-1'),
    ).toMatchObject({ actor: { id: 'u-9' } });
    expect(
      expectOneEvent(sink.events, (e) => e.request?.path === '/users/404' && e.type === 'http.request'),
    ).toMatchObject({ outcome: 'failure', request: { status: 404 } });
    expect(expectOneEvent(sink.events, (e) => e.request?.path === '/users/boom/now')).toMatchObject({
      outcome: 'failure',
      severity: 'error',
      request: { status: 500 },
      error: { message: 'database down' },
    });
    expect(sink.events.some((e) => e.request?.path === '/users/health/check')).toBe(false);
  });

  it('@AuditAction records the business event with an id taken from the result', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, { logger });
    const created = await call('POST', '/users', { name: 'Bo' });
    expect(created.status).toBe(201);
    await app.close();
    await logger.close();
    expect(expectOneEvent(sink.events, (e) => e.type === 'user.created')).toMatchObject({
      action: 'create',
      outcome: 'success',
      resource: { type: 'user', id: created.json!.id },
    });
  });

  it('@AuditDataChange records before, after and a diff, and only the failure when the handler fails', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, { logger });
    expect((await call('PATCH', '/users/1', { role: `admin-${platform}` })).status).toBe(200);
    expect((await call('PATCH', '/users/1', { role: 'root', fail: true })).status).toBe(409);
    await app.close();
    await logger.close();
    const changes = sink.events.filter((e) => e.type === 'user.updated');
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({
      outcome: 'success',
      resource: { type: 'user', id: '1' },
      changes: { diff: [{ op: 'replace', path: '/role', to: `admin-${platform}` }] },
    });
    expect(changes[0]!.changes!.after).toMatchObject({ role: `admin-${platform}` });
    expect(changes[1]).toMatchObject({
      outcome: 'failure',
      details: { status: 409 },
      error: { message: 'role change refused' },
    });
    expect(changes[1]!.changes).toBeUndefined();
  });

  it('keeps 100 interleaved requests apart', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, { logger });
    await runConcurrently(100, 20, (i) => call('GET', '/users/1', undefined, { 'x-request-id': `c-${i}` }));
    await app.close();
    await logger.close();
    const viewed = sink.events.filter((e) => e.type === 'user.viewed');
    expect(viewed).toHaveLength(100);
    expect(new Set(viewed.map((e) => e.request!.id)).size).toBe(100);
  });
});
