import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import { type GuardedRequest, type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: guards', (platform) => {
  it('records a request a guard denies, with the actor the guards before it established', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, {
      logger,
      actor: (req) => (req as GuardedRequest).user,
    });
    const denied = await call('DELETE', '/admin/users/1', undefined, {
      'x-user': 'u-2',
      'x-request-id': 'd-1',
    });
    const anonymous = await call('DELETE', '/admin/users/1');
    const allowed = await call('DELETE', '/admin/users/1', undefined, { 'x-user': 'u-1', 'x-role': 'admin' });
    await app.close();
    await logger.close();
    expect([denied.status, anonymous.status, allowed.status]).toEqual([403, 403, 200]);
    expect(denied.headers.get('x-request-id')).toBe('d-1');

    expect(expectOneEvent(sink.events, (e) => e.request?.id === 'd-1')).toMatchObject({
      type: 'http.request',
      action: 'delete',
      outcome: 'failure',
      severity: 'warning',
      actor: { id: 'u-2', roles: ['viewer'] },
      message: 'DELETE /admin/users/:id 403',
      request: { method: 'DELETE', path: '/admin/users/1', route: '/admin/users/:id', status: 403 },
    });
    const requests = sink.events.filter((e) => e.type === 'http.request');
    expect(requests.map((e) => [e.request?.status, e.actor.id ?? e.actor.type])).toEqual([
      [403, 'u-2'],
      [403, 'anonymous'],
      [200, 'u-1'],
    ]);
    // The handler of a denied request never ran: only the admitted one has its business event.
    expect(expectOneEvent(sink.events, (e) => e.type === 'user.deleted')).toMatchObject({
      outcome: 'success',
      actor: { id: 'u-1' },
      resource: { type: 'user', id: '1' },
    });
  });
});
