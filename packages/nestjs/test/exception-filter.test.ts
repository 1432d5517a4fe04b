import { AuditErrorFilter } from '@auditkit/nestjs';
import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import { type ArgumentsHost, Catch, type ExceptionFilter, NotFoundException } from '@nestjs/common';
import { type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: exception filters', (platform) => {
  it('records an HttpException answered by an exception filter exactly once', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, { logger });
    const res = await call('POST', '/accounts/lock', {}, { 'x-request-id': 'f-1' });
    await app.close();
    await logger.close();
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ conflict: 'account already locked' });
    expect(sink.events).toHaveLength(1);
    expect(expectOneEvent(sink.events, (e) => e.request?.id === 'f-1')).toMatchObject({
      type: 'http.request',
      outcome: 'failure',
      severity: 'warning',
      request: { route: '/accounts/lock', status: 409 },
      error: { message: 'account already locked' },
    });
  });
});

/** An application's own global filter: answers every error with a 418. */
@Catch()
class TeapotFilter implements ExceptionFilter {
  catch(exception: Error, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse();
    const body = { teapot: exception.message };
    if (typeof reply.code === 'function') reply.code(418).send(body);
    else reply.status(418).json(body);
  }
}

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: global exception filters', (platform) => {
  it("records an unhandled error with Nest's own answer, unchanged", async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, { logger });
    const res = await call('GET', '/users/boom/now', undefined, { 'x-request-id': 'g-1' });
    await app.close();
    await logger.close();
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ statusCode: 500, message: 'Internal server error' });
    expect(expectOneEvent(sink.events, (e) => e.request?.id === 'g-1')).toMatchObject({
      outcome: 'failure',
      request: { status: 500 },
      error: { message: 'database down' },
    });
  });

  it('lets a global filter of the application answer, and records the request with its status', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, { logger }, 'forRoot', 'factory', (a) =>
      a.useGlobalFilters(new TeapotFilter()),
    );
    const res = await call('GET', '/users/boom/now', undefined, { 'x-request-id': 'g-2' });
    await app.close();
    await logger.close();
    expect(res.status).toBe(418);
    expect(res.json).toEqual({ teapot: 'database down' });
    expect(expectOneEvent(sink.events, (e) => e.request?.id === 'g-2')).toMatchObject({
      type: 'http.request',
      outcome: 'failure',
      request: { status: 418 },
    });
  });
});

/** An application's global filter built on auditkit's: answers 404s itself, leaves the rest to Nest. */
@Catch()
class NotFoundPageFilter extends AuditErrorFilter {
  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (!(exception instanceof NotFoundException)) return super.catch(exception, host);
    const reply = host.switchToHttp().getResponse();
    if (typeof reply.code === 'function') reply.code(404).send({ page: 'not here' });
    else reply.status(404).json({ page: 'not here' });
    return undefined;
  }
}

describe.each<Platform>(['express', 'fastify'])(
  'nestjs on %s: a global filter extending AuditErrorFilter',
  (platform) => {
    it('records the error of what it leaves to Nest, and answers the rest itself', async () => {
      const { logger, sink } = memoryLogger();
      const { app, call } = await startNest(platform, { logger }, 'forRoot', 'factory', (a) =>
        a.useGlobalFilters(new NotFoundPageFilter(a.getHttpAdapter())),
      );
      const boom = await call('GET', '/users/boom/now', undefined, { 'x-request-id': 'x-1' });
      const missing = await call('GET', '/users/404', undefined, { 'x-request-id': 'x-2' });
      await app.close();
      await logger.close();
      expect(boom.status).toBe(500);
      expect(boom.json).toEqual({ statusCode: 500, message: 'Internal server error' });
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({ page: 'not here' });
      expect(
        expectOneEvent(sink.events, (e) => e.type === 'http.request' && e.request?.id === 'x-1'),
      ).toMatchObject({
        request: { status: 500 },
        error: { message: 'database down' },
      });
      expect(
        expectOneEvent(sink.events, (e) => e.type === 'http.request' && e.request?.id === 'x-2'),
      ).toMatchObject({
        outcome: 'failure',
        request: { status: 404 },
      });
    });
  },
);
