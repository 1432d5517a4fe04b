import { fileLogger, unconfirmedLogger } from '@auditkit/test-utils';
import { type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: holdResponse', (platform) => {
  it('answers only once the request event and the events it logged are in the file', async () => {
    const { logger, requestIds } = fileLogger();
    const { app, call } = await startNest(platform, { logger, holdResponse: true });
    for (let i = 0; i < 5; i++) {
      const id = `held-${platform}-${i}`;
      const res = await call('GET', '/users/1', undefined, { 'x-request-id': id });
      expect({ status: res.status, onDisk: requestIds().filter((r) => r === id).length }).toEqual({
        status: 200,
        onDisk: 2,
      });
    }
    expect(logger.stats().hold).toEqual({ held: 5, expired: 0, lost: 0 });
    await app.close();
    await logger.close();
  });

  it('releases the response at the time limit when the sink never confirms, and counts it', async () => {
    const logger = unconfirmedLogger();
    const { app, call } = await startNest(platform, { logger, holdResponse: { timeoutMs: 200 } });
    const started = Date.now();
    expect((await call('GET', '/users/1')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(logger.stats().hold).toEqual({ held: 1, expired: 1, lost: 0 });
    await app.close();
    await logger.close();
  });
});
