import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import { startNest } from './app';

describe('nestjs on express: middleware', () => {
  it('records a request that an app.use() middleware answers before Nest sees it', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest('express', { logger }, 'forRoot', 'factory', (nest) =>
      // A rate limiter mounted in main.ts, as express-rate-limit would be.
      nest.use((_req: unknown, res: { statusCode: number; end(body: string): void }) => {
        res.statusCode = 429;
        res.end('slow down');
      }),
    );
    const res = await call('GET', '/users/1', undefined, { 'x-request-id': 'rl-1' });
    await app.close();
    await logger.close();
    expect(res.status).toBe(429);
    expect(expectOneEvent(sink.events, (e) => e.request?.id === 'rl-1')).toMatchObject({
      type: 'http.request',
      outcome: 'failure',
      request: { path: '/users/1', status: 429 },
    });
  });
});
