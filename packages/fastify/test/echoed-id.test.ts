import { makeApp } from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('fastify: the echoed request id', () => {
  it('is on every response, as the event records it: a success, a thrown error, a 404, a route that sets headers', async () => {
    const { app, logger, sink } = await makeApp();
    app.get('/headers', async (_request, reply) => {
      reply.header('x-extra', 'yes');
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers });

    const given = await get('/orders/7', { 'x-request-id': 'given-1' });
    const boom = await get('/boom', { 'x-request-id': 'given-2' });
    const missing = await get('/nowhere');
    const headers = await get('/headers');
    await app.close();
    await logger.close();

    expect([given.status, boom.status, missing.status, headers.status]).toEqual([200, 500, 404, 200]);
    expect(given.headers.get('x-request-id')).toBe('given-1');
    expect(boom.headers.get('x-request-id')).toBe('given-2');
    expect(missing.headers.get('x-request-id')).toMatch(UUID);
    expect(headers.headers.get('x-request-id')).toMatch(UUID);
    expect(headers.headers.get('x-extra')).toBe('yes');
    const recorded = sink.events.filter((e) => e.type === 'http.request').map((e) => e.request!.id);
    expect(recorded.sort()).toEqual(
      ['given-1', 'given-2', missing.headers.get('x-request-id'), headers.headers.get('x-request-id')].sort(),
    );
  });
});
