import { congestedLogger, expectHeldWhileCongested, expectOneEvent } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import { type Platform, startNest } from './app';
import { startNestGrpc } from './grpc-app';

describe.each<Platform>(['express', 'fastify'])("nestjs on %s: overflow 'block'", (platform) => {
  it('holds a request while the audit queue is full and lets it through once there is room', async () => {
    const congested = congestedLogger();
    const { app, call } = await startNest(platform, { logger: congested.logger });
    const { result, events } = await expectHeldWhileCongested(congested, () =>
      call('GET', '/users/1', undefined, { 'x-request-id': `blocked-${platform}` }),
    );
    expect(result).toMatchObject({ status: 200, json: { id: '1' } });
    expect(expectOneEvent(events, (e) => e.type === 'user.viewed').request?.id).toBe(`blocked-${platform}`);
    expect(expectOneEvent(events, (e) => e.type === 'http.request')).toMatchObject({
      request: { id: `blocked-${platform}`, status: 200, route: '/users/:id' },
    });
    await app.close();
    await congested.logger.close();
  });
});

describe("nestjs gRPC: overflow 'block'", () => {
  it('holds a call while the audit queue is full and lets it through once there is room', async () => {
    const congested = congestedLogger();
    const nest = await startNestGrpc({ logger: congested.logger });
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'blocked-grpc');
    const { result, events } = await expectHeldWhileCongested(congested, () =>
      nest.unary({ id: '7' }, metadata),
    );
    expect(result).toEqual({ error: undefined, response: { id: '7', item: 'laptop' } });
    expect(expectOneEvent(events, (e) => e.type === 'order.viewed').request?.id).toBe('blocked-grpc');
    expect(expectOneEvent(events, (e) => e.type === 'grpc.call')).toMatchObject({
      outcome: 'success',
      request: { id: 'blocked-grpc', grpcCode: 0 },
    });
    await nest.close();
    await congested.logger.close();
  });
});
