import { createAuditLogger, createBatch, memorySink } from '@auditkit/core';
import { elasticsearchSink } from '@auditkit/siem';
import { logOrders, pipelineInto } from './helpers';
import { type ElasticsearchReceiver, elasticsearchReceiver } from './receivers';

describe('elasticsearchSink', () => {
  let es: ElasticsearchReceiver;
  beforeEach(async () => {
    es = await elasticsearchReceiver({ apiKey: 'k-123' });
  });
  afterEach(() => es.close());

  const sink = (extra = {}) =>
    elasticsearchSink({
      node: es.url,
      auth: { apiKey: 'k-123' },
      index: 'audit-{yyyy.MM.dd}',
      itemRetryDelayMs: 1,
      ...extra,
    });

  it('indexes every event once as an ECS document in a daily index, keyed by event id', async () => {
    const { logger, errors } = pipelineInto(sink());
    const ids = logOrders(logger, 25);
    await logger.close();
    expect(errors).toEqual([]);
    expect(es.docs.size).toBe(25);
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
    const doc = es.docs.get(`audit-${day}/${ids[3]}`)!;
    expect(doc).toMatchObject({
      ecs: { version: expect.any(String) },
      event: {
        id: ids[3],
        action: 'order.created',
        outcome: 'success',
        dataset: 'auditkit.audit',
        type: ['creation'],
      },
      user: { id: 'u-0' },
      organization: { id: 'acme' },
      service: { name: 'orders', version: '2.1.0', environment: 'test', node: { name: 'orders-1' } },
      auditkit: { resource: { type: 'order', id: 'ord-3' }, details: { amount: 3 } },
    });
    expect(doc['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const bulk = es.requests[0]!;
    expect(bulk.headers['content-type']).toBe('application/x-ndjson');
    expect(bulk.body.endsWith('\n')).toBe(true);
  });

  it('re-sends only items refused with 429 and ends with each event stored exactly once', async () => {
    const s = sink();
    const { logger, errors } = pipelineInto(s);
    logger.log({ type: 'warmup' });
    await logger.flush();
    const before = es.requests.length;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push(logger.log({ type: 'order.viewed', resource: { type: 'order', id: `o${i}` } })!);
    es.failItem(ids[2]!, 2);
    es.failItem(ids[7]!, 1, 503);
    await logger.close();
    expect(errors).toEqual([]);
    expect(es.docs.size).toBe(11);
    const resent = es.requests.slice(before + 1).map((r) => r.body.split('\n').filter(Boolean).length / 2);
    expect(resent).toEqual([2, 1]); // both refused items, then the one refused twice
  });

  it('never duplicates when a batch is replayed: Elasticsearch answers 409 and the sink counts it stored', async () => {
    const s = sink();
    const seen = memorySink();
    const logger = createAuditLogger({ service: 'orders', flushOnExit: false, sinks: [s, seen] });
    logOrders(logger, 5);
    await logger.close();
    expect(es.docs.size).toBe(5);
    await expect(s.write(createBatch(seen.events))).resolves.toBeUndefined();
    expect(es.docs.size).toBe(5);
    const replay = es.requests.at(-1)!;
    expect(replay.body.split('\n').filter(Boolean)).toHaveLength(10);
  });

  it('reports documents Elasticsearch rejects for good without retrying them, and keeps the rest', async () => {
    es.rejectWhen(
      (doc) => (doc.auditkit as { details?: { amount?: unknown } }).details?.amount === 'not-a-number',
    );
    const { logger, errors } = pipelineInto(sink());
    logOrders(logger, 3);
    logger.log({ type: 'order.created', details: { amount: 'not-a-number' } });
    await logger.close();
    expect(es.docs.size).toBe(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/1 of 4 events rejected: 400 document_parsing_exception/);
    expect(logger.stats().sinks[0]).toMatchObject({ retries: 0, failed: 4 });
  });

  it('retries a whole request that failed with 5xx and delivers the batch', async () => {
    es.failRequests(2, 502);
    const { logger, errors } = pipelineInto(sink());
    logOrders(logger, 4);
    await logger.close();
    expect(es.docs.size).toBe(4);
    expect(logger.stats().sinks[0]).toMatchObject({ delivered: 4, failed: 0, retries: 2 });
    expect(errors.every((e) => /answered 502/.test(e.message))).toBe(true);
  });

  it('fails fast on bad credentials, naming the status but never the secret', async () => {
    const { logger, errors } = pipelineInto(elasticsearchSink({ node: es.url, auth: { apiKey: 'wrong' } }));
    logOrders(logger, 1);
    await logger.close();
    expect(es.docs.size).toBe(0);
    expect(logger.stats().sinks[0]).toMatchObject({ failed: 1, retries: 0 });
    expect(errors[0]!.message).toMatch(/answered 401/);
    expect(errors[0]!.message).not.toMatch(/wrong/);
  });

  it('rejects bad options at construction', () => {
    expect(() => elasticsearchSink({ node: 'not a url' })).toThrow(/node must be an http\(s\) URL/);
    expect(() => elasticsearchSink({ node: es.url, format: 'xml' as never })).toThrow(/format must be/);
  });
});
