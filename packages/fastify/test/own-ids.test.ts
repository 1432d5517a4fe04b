import { getContext, runWithContext } from '@auditkit/core';
import { expectOneEvent } from '@auditkit/test-utils';
import { makeApp } from './helpers';

// Valid trace context whose span id is 16 decimal digits passing Luhn: as text, a card number.
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '4111111111111111';
const traceparent = `00-${traceId}-${spanId}-01`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function serve(redactPaths: string[] = []) {
  const made = await makeApp({}, { redact: { paths: redactPaths } });
  made.app.get('/relayed', async () => {
    // A context the caller builds from the request's: its own span id is the caller's text.
    runWithContext({ ...getContext(), spanId: '5555555555554444' }, () =>
      made.logger.log({ type: 'relayed' }),
    );
    return {};
  });
  await made.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = made.app.server.address() as { port: number };
  const get = async (path: string, headers: Record<string, string>) =>
    (await fetch(`http://127.0.0.1:${port}${path}`, { headers })).status;
  const close = async () => {
    await made.app.close();
    await made.logger.close();
  };
  return { ...made, get, close };
}

describe('fastify: ids core made or parsed itself', () => {
  it('keeps the generated request id and the parsed trace context as they are, whatever digits they hold', async () => {
    const { sink, get, close } = await serve();
    expect(await get('/orders/7', { traceparent })).toBe(200);
    await close();
    for (const type of ['http.request', 'order.viewed']) {
      const e = expectOneEvent(sink.events, (x) => x.type === type);
      expect(e).toMatchObject({ traceId, spanId });
      expect(e.request!.id).toMatch(UUID);
      expect(e.correlationId).toBe(e.request!.id);
    }
  });

  it('still scans ids the caller supplied: a request id header, a context of its own', async () => {
    const { sink, get, close } = await serve();
    expect(await get('/orders/7', { 'x-request-id': '4111-1111-1111-1111' })).toBe(200);
    expect(await get('/relayed', { traceparent })).toBe(200);
    await close();
    const viewed = expectOneEvent(sink.events, (x) => x.type === 'order.viewed');
    expect(viewed.request!.id).toBe('****1111');
    expect(viewed.correlationId).toBe('****1111');
    expect(expectOneEvent(sink.events, (x) => x.type === 'relayed')).toMatchObject({
      traceId,
      spanId: '****4444',
    });
  });

  it('still redacts a generated request id by path', async () => {
    const { sink, get, close } = await serve(['request.id']);
    expect(await get('/orders/7', {})).toBe(200);
    await close();
    const e = expectOneEvent(sink.events, (x) => x.type === 'http.request');
    expect(e.request!.id).toBe('[REDACTED]');
    expect(e.correlationId).toMatch(UUID);
  });

  it("scans and redacts the rest of the request's own event as before, in sorted key order", async () => {
    const { app, logger, sink } = await makeApp(
      { captureHeaders: ['x-note'] },
      { redact: { paths: ['request.route'] } },
    );
    app.get('/pay/:card', async () => ({}));
    const res = await app.inject({
      method: 'GET',
      url: '/pay/4111111111111111',
      headers: { 'x-note': 'card 4111 1111 1111 1111' },
    });
    expect(res.statusCode).toBe(200);
    await app.close();
    await logger.close();
    const request = expectOneEvent(sink.events, (x) => x.type === 'http.request').request!;
    expect(request).toMatchObject({
      id: expect.stringMatching(UUID),
      path: '/pay/****1111',
      route: '[REDACTED]',
      headers: { 'x-note': 'card ****1111' },
      status: 200,
    });
    expect(Object.keys(request)).toEqual([...Object.keys(request)].sort());
  });
});
