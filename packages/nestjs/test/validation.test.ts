import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import { type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: pipes', (platform) => {
  it('records a request ValidationPipe rejects as a 400, and the valid one', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, { logger });
    const bad = await call('POST', '/accounts', { name: 42 }, { 'x-request-id': 'v-bad' });
    const ok = await call('POST', '/accounts', { name: 'ok' }, { 'x-request-id': 'v-ok' });
    await app.close();
    await logger.close();
    expect([bad.status, ok.status]).toEqual([400, 201]);
    expect(expectOneEvent(sink.events, (e) => e.request?.id === 'v-bad')).toMatchObject({
      type: 'http.request',
      action: 'create',
      outcome: 'failure',
      severity: 'warning',
      request: { path: '/accounts', route: '/accounts', status: 400 },
      error: { message: 'Bad Request Exception' },
    });
    expect(expectOneEvent(sink.events, (e) => e.request?.id === 'v-ok')).toMatchObject({
      outcome: 'success',
      request: { status: 201 },
    });
  });
});
