import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditLogger } from '@auditkit/core';
import { createAuditLogger } from '@auditkit/core';
import { auditMiddleware } from '@auditkit/express';
import {
  fileLogger,
  hangingSink,
  runConcurrently,
  startServer,
  unconfirmedLogger,
} from '@auditkit/test-utils';
import express from 'express';

function app(logger: AuditLogger, holdResponse: boolean | { timeoutMs: number }) {
  const a = express();
  a.use(auditMiddleware({ logger, holdResponse }));
  a.get('/orders/:id', (req, res) => {
    req.audit.log({ type: 'order.viewed', resource: { type: 'order', id: req.params.id } });
    res.json({ id: req.params.id });
  });
  return a;
}

/** Every spooled byte under `dir`, as text. */
function spooled(dir: string): string {
  const sinks = join(dir, 'sinks');
  return readdirSync(sinks)
    .flatMap((sink) =>
      readdirSync(join(sinks, sink))
        .filter((f) => f.endsWith('.seg'))
        .map((f) => readFileSync(join(sinks, sink, f), 'latin1')),
    )
    .join('');
}

describe('express: holdResponse', () => {
  it('answers only once the request event and the events it logged are in the file', async () => {
    const { logger, requestIds } = fileLogger();
    const server = await startServer(app(logger, true));
    const ask = async (id: string) => {
      const res = await fetch(`${server.url}/orders/${id}`, { headers: { 'x-request-id': id } });
      const onDisk = requestIds().filter((r) => r === id).length;
      expect({ status: res.status, onDisk, body: await res.json() }).toEqual({
        status: 200,
        onDisk: 2,
        body: { id },
      });
    };
    for (let i = 0; i < 5; i++) await ask(`one-${i}`);
    await runConcurrently(40, 20, (i) => ask(`many-${i}`));
    expect(logger.stats().hold).toEqual({ held: 45, expired: 0, lost: 0 });
    await server.close();
    await logger.close();
  });

  it('in durable mode answers once the events are fsynced in the spool, before the sink has them', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'auditkit-spool-'));
    const logger = createAuditLogger({
      service: 'test-service',
      flushOnExit: false,
      durable: true,
      spool: { dir: spool },
      sinks: [hangingSink()],
      retry: { attempts: 1, timeoutMs: 200 },
      onError: () => {},
    });
    const server = await startServer(app(logger, { timeoutMs: 5000 }));
    const res = await fetch(`${server.url}/orders/7`, { headers: { 'x-request-id': 'durable-7' } });
    expect(res.status).toBe(200);
    expect(spooled(spool).split('"id":"durable-7"').length - 1).toBe(2);
    expect(logger.stats().hold).toEqual({ held: 1, expired: 0, lost: 0 });
    await server.close();
    await logger.close();
  });

  it('releases the response at the time limit when the sink never confirms, and counts it', async () => {
    const logger = unconfirmedLogger();
    const server = await startServer(app(logger, { timeoutMs: 200 }));
    const started = Date.now();
    const res = await fetch(`${server.url}/orders/9`);
    const waited = Date.now() - started;
    expect(res.status).toBe(200);
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(logger.stats().hold).toEqual({ held: 1, expired: 1, lost: 0 });
    const health = logger.health();
    expect(health.status).not.toBe('ok');
    expect(health.reasons).toContain('1 held responses were released before their audit events were stored');
    await server.close();
    await logger.close();
  });
});
