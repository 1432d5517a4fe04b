/**
 * Express → outgoing HTTP → Fastify: the edge's handler calls the next service with Node's fetch,
 * undici or axios through auditkit's interceptors, and every event of both services carries the
 * one correlation id and trace id the first request arrived with.
 */
import { type AuditEvent, audit, auditAxios, auditFetch, auditUndiciInterceptor } from '@auditkit/core';
import { auditMiddleware } from '@auditkit/express';
import { auditPlugin } from '@auditkit/fastify';
import { memoryLogger, startServer } from '@auditkit/test-utils';
import axios from 'axios';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Agent, request as undiciRequest } from 'undici';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

type Caller = (url: string) => Promise<unknown>;

const undiciAgent = new Agent().compose(auditUndiciInterceptor());
const axiosClient = axios.create();
auditAxios(axiosClient);

const callers: Record<string, Caller> = {
  'global fetch': (url) => auditFetch()(url).then((r) => r.json()),
  'undici interceptor': (url) => undiciRequest(url, { dispatcher: undiciAgent }).then((r) => r.body.json()),
  axios: (url) => axiosClient.get(url).then((r) => r.data),
};

let stock: FastifyInstance;
let stockUrl: string;
const downstream = memoryLogger({ service: 'stock' });

beforeAll(async () => {
  stock = Fastify();
  await stock.register(auditPlugin, { logger: downstream.logger });
  stock.get('/stock/:id', async () => {
    audit.log({ type: 'stock.checked' });
    return { available: 3 };
  });
  stockUrl = await stock.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await stock.close();
  await downstream.logger.close();
  await undiciAgent.close();
});

describe.each(Object.keys(callers))('Express → %s → Fastify', (name) => {
  it('one correlation id and one trace id in every event of both services', async () => {
    const call = callers[name]!;
    downstream.sink.events.length = 0;
    const edge = memoryLogger({ service: 'edge' });
    const app = express();
    app.use(auditMiddleware({ logger: edge.logger }));
    app.get('/orders/:id', async (req, res) => {
      req.audit.log({ type: 'order.loaded' });
      res.json({ stock: await call(`${stockUrl}/stock/${req.params.id}`) });
    });
    const server = await startServer(app);
    const response = await fetch(`${server.url}/orders/9`, {
      headers: { 'x-correlation-id': 'checkout-77', traceparent: TRACEPARENT },
    });
    expect(await response.json()).toEqual({ stock: { available: 3 } });
    await server.close();
    await edge.logger.close();
    await downstream.logger.flush();

    const events: AuditEvent[] = [...edge.sink.events, ...downstream.sink.events];
    expect(events.map((e) => `${e.source.service}:${e.type}`).sort()).toEqual([
      'edge:http.request',
      'edge:order.loaded',
      'stock:http.request',
      'stock:stock.checked',
    ]);
    for (const e of events)
      expect({ type: e.type, correlationId: e.correlationId, traceId: e.traceId }).toEqual({
        type: e.type,
        correlationId: 'checkout-77',
        traceId: TRACE_ID,
      });
  });
});
