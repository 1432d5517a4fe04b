import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  auditAxios,
  auditFetch,
  auditUndiciInterceptor,
  propagationHeaders,
  runWithContext,
} from '@auditkit/core';
import axios from 'axios';
import { Agent, request, Request as UndiciRequest, fetch as undiciFetch } from 'undici';

const context = {
  correlationId: 'corr-1',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: '01',
};
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A real HTTP server that answers with the headers it received. */
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => res.end(JSON.stringify(req.headers)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

type Received = Record<string, string>;
const agent = new Agent().compose(auditUndiciInterceptor({ correlationIdHeader: 'X-Flow-Id' }));
const client = axios.create();
auditAxios(client);
afterAll(() => agent.close());

describe('propagationHeaders', () => {
  it('is the correlation id and traceparent of the current context, nothing outside one', () => {
    expect(propagationHeaders()).toEqual({});
    expect(runWithContext(context, () => propagationHeaders())).toEqual({
      'x-correlation-id': 'corr-1',
      traceparent,
    });
    expect(
      runWithContext({ correlationId: 'c' }, () => propagationHeaders({ correlationIdHeader: 'X-Flow-Id' })),
    ).toEqual({
      'x-flow-id': 'c',
    });
  });
});

describe('outgoing interceptors', () => {
  it('fetch adds the headers in a context, keeps the caller’s own, and adds nothing outside one', async () => {
    const f = auditFetch();
    const inside = (await runWithContext(context, () =>
      f(url, { headers: { 'x-correlation-id': 'set-by-caller', accept: 'text/plain' } }).then((r) =>
        r.json(),
      ),
    )) as Received;
    expect(inside).toMatchObject({ 'x-correlation-id': 'set-by-caller', traceparent, accept: 'text/plain' });
    const fromRequest = (await runWithContext(context, () =>
      f(new Request(url, { headers: { 'x-kept': 'yes' } })).then((r) => r.json()),
    )) as Received;
    expect(fromRequest).toMatchObject({ 'x-correlation-id': 'corr-1', traceparent, 'x-kept': 'yes' });
    // undici's own fetch and Request (not the global ones): the request keeps its headers.
    const wrappedUndici = auditFetch(undiciFetch as unknown as typeof fetch);
    const fromUndici = (await runWithContext(context, () =>
      wrappedUndici(new UndiciRequest(url, { headers: { 'x-kept': 'undici' } }) as unknown as Request).then(
        (r) => r.json(),
      ),
    )) as Received;
    expect(fromUndici).toMatchObject({ 'x-correlation-id': 'corr-1', traceparent, 'x-kept': 'undici' });
    const outside = (await f(url).then((r) => r.json())) as Received;
    expect(outside['x-correlation-id']).toBeUndefined();
    expect(outside.traceparent).toBeUndefined();
  });

  it('the undici interceptor adds them under the configured header name, in every header form', async () => {
    const get = (headers?: Record<string, string> | string[]) =>
      runWithContext(context, () => request(url, { dispatcher: agent, headers })).then(
        (r) => r.body.json() as Promise<Received>,
      );
    expect(await get()).toMatchObject({ 'x-flow-id': 'corr-1', traceparent });
    expect(await get(['x-flow-id', 'mine', 'x-other', '1'])).toMatchObject({
      'x-flow-id': 'mine',
      'x-other': '1',
      traceparent,
    });
    expect(await get({ TraceParent: 'caller-trace' })).toMatchObject({
      'x-flow-id': 'corr-1',
      traceparent: 'caller-trace',
    });
  });

  it('axios adds them per request, in the context the request is made in', async () => {
    const inside = await runWithContext(context, () =>
      client.get<Received>(url, { headers: { Traceparent: 'mine' } }),
    );
    expect(inside.data).toMatchObject({ 'x-correlation-id': 'corr-1', traceparent: 'mine' });
    const outside = await client.get<Received>(url);
    expect(outside.data['x-correlation-id']).toBeUndefined();
  });
});

describe('outgoing interceptors: bad options', () => {
  it('fail when created, naming the option', () => {
    expect(() => auditFetch(undefined, { correlationIdHeadr: 'x' } as never)).toThrow(
      /auditFetch option correlationIdHeadr is unknown.*did you mean correlationIdHeader/,
    );
    expect(() => auditUndiciInterceptor({ correlationIdHeader: '' })).toThrow(/correlationIdHeader/);
    expect(() => auditFetch('https://example.com' as never)).toThrow(
      'auditFetch takes a fetch function, got string',
    );
    expect(() => auditAxios({} as never)).toThrow(/auditAxios takes an axios instance/);
  });
});
