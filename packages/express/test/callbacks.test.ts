import { auditErrorHandler, auditMiddleware } from '@auditkit/express';
import {
  expectOneEvent,
  expectThrowingCallbacksCounted,
  memoryLogger,
  startServer,
  throwingCallbacks,
} from '@auditkit/test-utils';
import express from 'express';

describe('express: throwing callbacks on an error path', () => {
  it('the client gets its error response and the failure is recorded; each throw is counted and reported', async () => {
    const errors: string[] = [];
    const { logger, sink } = memoryLogger({ onError: (e) => errors.push(e.message) });
    const app = express();
    app.use(auditMiddleware({ logger, ...throwingCallbacks() }));
    app.get('/fail', () => {
      throw new Error('database down');
    });
    app.use(auditErrorHandler());
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(503).json({ error: err.message });
    });
    const server = await startServer(app);
    const res = await fetch(`${server.url}/fail`, { signal: AbortSignal.timeout(5000) });
    await server.close();
    await logger.close();
    expect(res.status).toBe(503);
    const event = expectOneEvent(sink.events, (e) => e.type === 'http.request');
    expect(event).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous' },
      request: { status: 503 },
      error: { message: 'database down' },
    });
    expect(event.tenant).toBeUndefined();
    expectThrowingCallbacksCounted(logger, errors);
  });
});
