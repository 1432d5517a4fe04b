import { expectOneEvent, expectThrowingCallbacksCounted, throwingCallbacks } from '@auditkit/test-utils';
import { makeApp } from './helpers';

describe('fastify: throwing callbacks on an error path', () => {
  it('the client gets its error response and the failure is recorded; each throw is counted and reported', async () => {
    const errors: string[] = [];
    const { app, logger, sink } = await makeApp(throwingCallbacks(), {
      onError: (e) => errors.push(e.message),
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${url}/boom`, { signal: AbortSignal.timeout(5000) });
    await app.close();
    await logger.close();
    expect(res.status).toBe(500);
    const event = expectOneEvent(sink.events, (e) => e.type === 'http.request');
    expect(event).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous' },
      request: { status: 500, route: '/boom' },
      error: { message: 'database down' },
    });
    expect(event.tenant).toBeUndefined();
    expectThrowingCallbacksCounted(logger, errors);
  });
});
