import { runWithContext } from '../src';
import { testLogger } from './helpers';

/** A request context as adapters make it, carrying what a caller could have put in it. */
function context(request: Record<string, unknown>) {
  return { requestId: 'req-7', correlationId: 'req-7', request: request as never };
}

describe('the request part of an event', () => {
  it("takes the context's request with its id first, redacted by key, path and value", async () => {
    const { logger, sink } = testLogger({ redact: { paths: ['request.route'] } });
    runWithContext(
      context({ method: 'POST', path: '/pay/4111 1111 1111 1111', route: '/pay/:card', token: 't0k3n' }),
      () => logger.log({ type: 'payment.made' }),
    );
    await logger.close();
    const request = sink.events[0]!.request!;
    expect(request).toEqual({
      id: 'req-7',
      method: 'POST',
      path: '/pay/****1111',
      route: '[REDACTED]',
      token: '[REDACTED]',
    });
    expect(Object.keys(request)[0]).toBe('id');
  });

  it("replaces a context request's own id with the request id, where it stood", async () => {
    const { logger, sink } = testLogger();
    runWithContext(context({ method: 'GET', id: 'spoofed', path: '/a' }), () => logger.log({ type: 'x' }));
    await logger.close();
    const request = sink.events[0]!.request!;
    expect(request).toEqual({ method: 'GET', id: 'req-7', path: '/a' });
    expect(Object.keys(request)).toEqual(['method', 'id', 'path']);
  });

  it('scrubs a body under its own budget, apart from the other fields', async () => {
    const { logger, sink } = testLogger({
      limits: { maxBodyBytes: 64 },
      redact: { paths: ['request.body.card'] },
    });
    const body = { card: '4111', note: 'x'.repeat(40), more: 'y'.repeat(40), password: 'pw' };
    logger.log({ type: 'x', request: { method: 'POST', path: '/p', body } });
    runWithContext(context({ method: 'PUT', path: '/q', body: { password: 'pw' } }), () =>
      logger.log({ type: 'y' }),
    );
    await logger.close();
    const [own, fromContext] = sink.events;
    expect(own!.request).toMatchObject({ method: 'POST', path: '/p' });
    expect(own!.request!.body).toMatchObject({ card: '[REDACTED]', note: 'x'.repeat(40) });
    expect(own!.request!.body).toHaveProperty('…', '[truncated: size limit]');
    expect(own!.request!.body).not.toHaveProperty('password', 'pw');
    expect(fromContext!.request).toEqual({
      id: 'req-7',
      method: 'PUT',
      path: '/q',
      body: { password: '[REDACTED]' },
    });
  });

  it("records a throwing getter on the caller's request as unreadable and keeps the event", async () => {
    const { logger, sink } = testLogger();
    const request = {
      method: 'GET',
      get path(): string {
        throw new Error('no path');
      },
    };
    expect(logger.log({ type: 'x', request: request as never })).toBeDefined();
    await logger.close();
    expect(sink.events[0]!.request).toEqual({ method: 'GET', path: '[Unreadable: no path]' });
  });

  it('leaves the objects it was given untouched', async () => {
    const { logger } = testLogger();
    const request = { method: 'POST', path: '/p', token: 'secret-value', body: { password: 'pw' } };
    const snapshot = structuredClone(request);
    logger.log({ type: 'x', request });
    runWithContext(context(request), () => logger.log({ type: 'y' }));
    await logger.close();
    expect(request).toEqual(snapshot);
  });
});
