import { request as httpRequest } from 'node:http';
import { auditMiddleware } from '@auditkit/express';
import { expectOneEvent, memoryLogger, startServer } from '@auditkit/test-utils';
import express from 'express';

describe('express: aborted requests', () => {
  it('records a request whose client went away as aborted with outcome unknown', async () => {
    const { logger, sink } = memoryLogger();
    const a = express();
    a.use(auditMiddleware({ logger }));
    let handlerStarted!: () => void;
    const started = new Promise<void>((r) => {
      handlerStarted = r;
    });
    a.get('/slow', (_req, res) => {
      handlerStarted();
      setTimeout(() => {
        if (!res.destroyed) res.send('late');
      }, 300);
    });
    const server = await startServer(a);
    const req = httpRequest(`${server.url}/slow`);
    req.on('error', () => {});
    req.end();
    await started;
    req.destroy();
    await new Promise((r) => setTimeout(r, 100));
    await logger.flush();
    const e = expectOneEvent(sink.events, (ev) => ev.request?.path === '/slow');
    expect(e).toMatchObject({
      outcome: 'unknown',
      request: { aborted: true, route: '/slow' },
      message: 'GET /slow aborted',
    });
    expect(e.request!.status).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    await server.close();
    await logger.close();
    expect(sink.events).toHaveLength(1);
  });
});
