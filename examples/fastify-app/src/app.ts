import { type AuditLogger, audit } from '@auditkit/core';
import { auditPlugin } from '@auditkit/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

/** An order API on Fastify, audited with one plugin registration. */
export async function createApp(options: { logger?: AuditLogger } = {}): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(auditPlugin, {
    logger: options.logger,
    actor: (request) => {
      const user = request.headers['x-user-id'];
      return typeof user === 'string' ? { type: 'user', id: user } : undefined;
    },
    tenant: (request) => request.headers['x-tenant-id'] as string | undefined,
  });
  const orders = new Map<string, { id: string; item: string }>();

  app.get('/health', { config: { audit: false } }, async () => ({ ok: true }));
  app.post<{ Body: { item: string } }>(
    '/orders',
    // Recorded beside this route's http.request event when it succeeds (as a failure when it does not).
    { config: { audit: { type: 'order.created', action: 'create', resource: { type: 'order' } } } },
    async (request, reply) => {
      const order = { id: String(orders.size + 1), item: request.body.item };
      orders.set(order.id, order);
      reply.code(201);
      return order;
    },
  );
  app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
    const order = orders.get(request.params.id);
    if (!order) {
      audit.log({
        type: 'order.lookup.missed',
        outcome: 'failure',
        resource: { type: 'order', id: request.params.id },
      });
      return reply.code(404).send({ error: 'not found' });
    }
    return order;
  });
  return app;
}
