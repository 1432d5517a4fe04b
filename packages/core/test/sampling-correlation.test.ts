import { createAuditLogger, memorySink } from '@auditkit/core';

describe('sampling by correlation id', () => {
  it('keeps or drops all events of one correlation id together, the same in every logger', async () => {
    const sinks = [memorySink(), memorySink()];
    const loggers = sinks.map((sink) =>
      createAuditLogger({ sinks: [sink], sample: { rate: 0.5, byCorrelationId: true } }),
    );
    for (let i = 0; i < 200; i++) {
      for (const logger of loggers) {
        for (let j = 0; j < 3; j++)
          logger.log({ type: 'doc.read', action: 'read', correlationId: `req-${i}` });
      }
    }
    await Promise.all(loggers.map((l) => l.flush()));
    const counts = sinks.map((sink) => {
      const byId = new Map<string, number>();
      for (const e of sink.events)
        byId.set(e.correlationId ?? '', (byId.get(e.correlationId ?? '') ?? 0) + 1);
      return byId;
    });
    for (const n of counts[0].values()) expect(n).toBe(3);
    expect([...counts[0].keys()].sort()).toEqual([...counts[1].keys()].sort());
    expect(counts[0].size).toBeGreaterThan(50);
    expect(counts[0].size).toBeLessThan(150);
    expect(loggers[0].stats().sampledOut).toBe((200 - counts[0].size) * 3);
    await Promise.all(loggers.map((l) => l.close()));
  });
});

describe('sampling by correlation id with rules', () => {
  it('gives each correlation id one decision per rate in every logger, and nests rates', async () => {
    const sinks = [memorySink(), memorySink()];
    const sample = {
      rate: 0.5,
      byCorrelationId: true,
      rules: [{ match: { type: 'cache.*' }, rate: 0.1 }],
    };
    const loggers = sinks.map((sink, i) =>
      createAuditLogger({ sinks: [sink], service: `svc-${i}`, flushOnExit: false, sample }),
    );
    for (let i = 0; i < 300; i++) {
      for (const logger of loggers) {
        logger.log({ type: 'doc.read', correlationId: `c-${i}` });
        logger.log({ type: 'cache.hit', correlationId: `c-${i}` });
      }
    }
    await Promise.all(loggers.map((l) => l.close()));
    const ids = (type: string, sink: (typeof sinks)[number]) =>
      sink.events.filter((e) => e.type === type).map((e) => e.correlationId);
    expect(ids('doc.read', sinks[0]!)).toEqual(ids('doc.read', sinks[1]!));
    expect(ids('cache.hit', sinks[0]!)).toEqual(ids('cache.hit', sinks[1]!));
    const cached = ids('cache.hit', sinks[0]!);
    expect(cached.length).toBeGreaterThan(10);
    expect(cached.length).toBeLessThan(60);
    // hash(id) < 0.1 implies hash(id) < 0.5: a request kept at the low rate is kept everywhere.
    const read = new Set(ids('doc.read', sinks[0]!));
    for (const id of cached) expect(read.has(id)).toBe(true);
  });
});
