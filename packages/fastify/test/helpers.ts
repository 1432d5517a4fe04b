import { type AuditLoggerOptions, audit } from '@auditkit/core';
import { auditPlugin, type FastifyAuditOptions } from '@auditkit/fastify';
import { memoryLogger } from '@auditkit/test-utils';
import Fastify from 'fastify';

/** A Fastify app with the plugin and a few routes, recording into a memory sink. */
export async function makeApp(plugin: FastifyAuditOptions = {}, logger: AuditLoggerOptions = {}) {
  const { logger: auditLogger, sink } = memoryLogger(logger);
  const app = Fastify();
  await app.register(auditPlugin, { logger: auditLogger, ...plugin });
  app.get('/health', { config: { audit: false } }, async () => ({ ok: true }));
  app.get('/orders/:id', async (request) => {
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    // Deep inside the handler, without request in scope: context comes from AsyncLocalStorage.
    audit.log({
      type: 'order.viewed',
      resource: { type: 'order', id: (request.params as { id: string }).id },
    });
    return { id: (request.params as { id: string }).id };
  });
  app.post(
    '/orders',
    { config: { audit: { type: 'order.created', action: 'create', resource: { type: 'order' } } } },
    async (request, reply) => {
      request.audit!.log({ type: 'order.note', details: { note: 'created via api' } });
      reply.code(201);
      return { id: '42' };
    },
  );
  app.get('/boom', async () => {
    throw Object.assign(new Error('database down'), { code: 'EDB' });
  });
  app.get('/denied', async (_request, reply) => {
    reply.code(403);
    return { error: 'no' };
  });
  return { app, logger: auditLogger, sink };
}
