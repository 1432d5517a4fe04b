import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditPlugin } from '@auditkit/fastify';
import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import Fastify from 'fastify';

describe('fastify: aborted and timed-out requests', () => {
  it('records a request whose client went away as aborted with outcome unknown, once', async () => {
    const { logger, sink } = memoryLogger();
    const app = Fastify();
    await app.register(auditPlugin, { logger });
    let handlerStarted!: () => void;
    const started = new Promise<void>((r) => {
      handlerStarted = r;
    });
    app.get('/slow/:id', async () => {
      handlerStarted();
      await new Promise((r) => setTimeout(r, 300));
      return 'late';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const req = httpRequest(`http://127.0.0.1:${port}/slow/1`);
    req.on('error', () => {});
    req.end();
    await started;
    req.destroy();
    await new Promise((r) => setTimeout(r, 400));
    await app.close();
    await logger.close();
    const e = expectOneEvent(sink.events, (ev) => ev.request?.path === '/slow/1');
    expect(e).toMatchObject({
      outcome: 'unknown',
      request: { aborted: true, route: '/slow/:id', method: 'GET' },
      message: 'GET /slow/:id aborted',
    });
    expect(e.request!.status).toBeUndefined();
    expect(sink.events).toHaveLength(1);
  });

  it('records a request that hit the connection timeout as aborted', async () => {
    const { logger, sink } = memoryLogger();
    const app = Fastify({ connectionTimeout: 100 });
    await app.register(auditPlugin, { logger });
    app.get('/stuck', async () => {
      await new Promise((r) => setTimeout(r, 400));
      return 'late';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      const req = httpRequest(`http://127.0.0.1:${port}/stuck`);
      req.on('error', () => resolve());
      req.on('response', (res) => res.resume().on('end', resolve));
      req.end();
    });
    await new Promise((r) => setTimeout(r, 450));
    await app.close();
    await logger.close();
    expect(expectOneEvent(sink.events, (ev) => ev.request?.path === '/stuck')).toMatchObject({
      outcome: 'unknown',
      request: { aborted: true, route: '/stuck' },
    });
  });
});
