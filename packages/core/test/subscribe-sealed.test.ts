import { type AuditEvent, subscribeSealed } from '@auditkit/core';
import { scriptedSink, testLogger } from './helpers';

describe('subscribeSealed', () => {
  it('hears every batch after the sinks took it, sealed and in chain order', async () => {
    const order: string[] = [];
    const sink = scriptedSink('slow', async (batch) => {
      await new Promise((r) => setTimeout(r, 5));
      order.push(`sink:${batch.events.length}`);
    });
    const { logger } = testLogger({ sinks: [sink], batch: { maxWaitMs: 1, maxEvents: 3 } });
    const heard: AuditEvent[] = [];
    subscribeSealed(logger, (events) => {
      order.push(`listener:${events.length}`);
      heard.push(...events);
    });
    for (let i = 0; i < 7; i++) logger.log({ type: 'data.read', details: { i } });
    await logger.flush();
    expect(heard.map((e) => e.integrity!.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(heard.map((e) => e.details!.i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // A listener never sees a batch before the sink did.
    for (let i = 0; i < order.length; i += 2) {
      expect(order[i]).toMatch(/^sink:/);
      expect(order[i + 1]).toMatch(/^listener:/);
    }
    await logger.close();
  });

  it("hands over each event's sealed line, the very text the sinks were given", async () => {
    const written: string[] = [];
    const sink = scriptedSink('lines', async (batch) => {
      written.push(...batch.jsonl().trimEnd().split('\n'));
    });
    const { logger } = testLogger({ sinks: [sink], batch: { maxWaitMs: 1, maxEvents: 4 } });
    const heard: Array<{ event: AuditEvent; line: string | undefined }> = [];
    subscribeSealed(logger, (events, lines) => {
      for (const [i, event] of events.entries()) heard.push({ event, line: lines?.[i] });
    });
    for (let i = 0; i < 9; i++) logger.log({ type: 'data.read', details: { i } });
    await logger.flush();
    expect(heard.map((h) => h.line)).toEqual(written);
    for (const { event, line } of heard) expect(JSON.parse(line!)).toEqual(event);
    await logger.close();
  });

  it('counts a throwing listener, keeps delivering, and stops calling a removed one', async () => {
    const { logger, sink } = testLogger({ onError: () => {} });
    let calls = 0;
    const off = subscribeSealed(logger, () => {
      calls++;
      throw new Error('listener broke');
    });
    logger.log({ type: 'a.one' });
    await logger.flush();
    expect(calls).toBe(1);
    expect(logger.stats().callbackErrors).toBe(1);
    off();
    logger.log({ type: 'a.two' });
    await logger.flush();
    expect(calls).toBe(1);
    expect(sink.events.map((e) => e.type)).toEqual(['a.one', 'a.two']);
    await logger.close();
  });
});
