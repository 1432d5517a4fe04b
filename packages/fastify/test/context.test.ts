import { runConcurrently } from '@auditkit/test-utils';
import { makeApp } from './helpers';

describe('fastify: context isolation', () => {
  it('keeps request ids and actors apart across 300 interleaved requests on a real server', async () => {
    const { app, logger, sink } = await makeApp({
      actor: (req) => ({ id: req.headers['x-user'] as string }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    await runConcurrently(300, 40, async (i) => {
      const res = await fetch(`http://127.0.0.1:${port}/orders/${i}`, {
        headers: { 'x-request-id': `r-${i}`, 'x-user': `u-${i}` },
      });
      await res.text();
    });
    await app.close();
    await logger.close();
    const viewed = sink.events.filter((e) => e.type === 'order.viewed');
    expect(viewed).toHaveLength(300);
    for (const e of viewed) {
      const i = e.resource!.id;
      expect(e.request!.id).toBe(`r-${i}`);
      expect(e.actor.id).toBe(`u-${i}`);
    }
  });
});
