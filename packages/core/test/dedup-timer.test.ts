import { setTimeout as delay } from 'node:timers/promises';
import { testLogger } from './helpers';

describe('dedup window timer', () => {
  it('records the summary when the window ends, without waiting for another event or a flush', async () => {
    const { logger, sink } = testLogger({ dedup: { windowMs: 40 } });
    for (let i = 0; i < 6; i++) logger.log({ type: 'poll', message: 'status polled' });
    const deadline = Date.now() + 2000;
    while (sink.events.length < 2 && Date.now() < deadline) await delay(10);
    expect(sink.events.map((e) => e.count)).toEqual([undefined, 5]);
    expect(logger.stats().dedup).toEqual({ open: 0, summaries: 1 });
    await logger.close();
  });
});
