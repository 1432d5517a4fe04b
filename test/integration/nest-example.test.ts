import { createApp } from '@auditkit/example-nest-app';
import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';

describe('examples/nest-app', () => {
  it('records its routes as its README says: the created user, the change with a diff, missed lookups, no listing', async () => {
    const { logger, sink } = memoryLogger();
    const app = await createApp({ logger });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const headers = { 'content-type': 'application/json', 'x-user-id': 'admin-1', 'x-tenant-id': 'acme' };
    const send = (method: string, path: string, body?: unknown) =>
      fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const created = await send('POST', '/users', { name: 'Ann', email: 'ann@example.com' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await send('PATCH', `/users/${id}`, { role: 'admin' })).status).toBe(200);
    expect((await send('PATCH', '/users/99', { role: 'admin' })).status).toBe(404);
    expect((await send('GET', '/users')).status).toBe(200);
    await app.close();
    await logger.close();

    const createdEvent = expectOneEvent(sink.events, (e) => e.type === 'user.created');
    // @AuditAction adds the business event beside the route's http.request, as config.audit does in the Fastify example.
    expect(
      expectOneEvent(
        sink.events,
        (e) => e.type === 'http.request' && e.request?.id === createdEvent.request?.id,
      ),
    ).toMatchObject({
      request: { method: 'POST', route: '/users', status: 201 },
    });
    expect(createdEvent).toMatchObject({
      outcome: 'success',
      resource: { type: 'user', id },
      compliance: ['SOX'],
      actor: { id: 'admin-1' },
      tenant: 'acme',
    });
    const changed = expectOneEvent(sink.events, (e) => e.type === 'user.updated' && e.outcome === 'success');
    expect(changed.changes).toMatchObject({
      before: { role: 'viewer' },
      after: { role: 'admin' },
      diff: [{ op: 'replace', path: '/role', from: 'viewer', to: 'admin' }],
    });
    expect(
      expectOneEvent(sink.events, (e) => e.type === 'user.updated' && e.outcome === 'failure'),
    ).toMatchObject({
      resource: { id: '99' },
    });
    expect(expectOneEvent(sink.events, (e) => e.type === 'user.lookup.missed')).toMatchObject({
      resource: { id: '99' },
      request: { method: 'PATCH', path: '/users/99' },
    });
    expect(sink.events.filter((e) => e.type === 'http.request').map((e) => e.request?.route)).toEqual([
      '/users',
      '/users/:id',
      '/users/:id',
    ]);
    expect(sink.events.every((e) => e.actor.id === 'admin-1' && e.tenant === 'acme')).toBe(true);
  });
});
