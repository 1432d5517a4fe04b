import { audit, getContext, runWithContext } from '../src';
import { CONTEXT_KEY } from '../src/symbols';
import { testLogger } from './helpers';

describe('request context', () => {
  it('follows the async call tree and isolates interleaved tasks', async () => {
    const { logger, sink } = testLogger();
    const task = (n: number) =>
      runWithContext({ requestId: `r${n}`, actor: { type: 'user', id: `u${n}` }, logger }, async () => {
        for (let step = 0; step < 3; step++) {
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          await Promise.resolve();
          audit.log({ type: 'step', details: { n, step } });
        }
      });
    await Promise.all(Array.from({ length: 200 }, (_, n) => task(n)));
    await logger.close();
    expect(sink.events).toHaveLength(600);
    for (const e of sink.events) {
      const n = (e.details as { n: number }).n;
      expect(e.actor.id).toBe(`u${n}`);
      expect(e.request?.id).toBeUndefined();
    }
  });

  it('is shared through a global symbol so two copies of core see one context', () => {
    const shared = (globalThis as Record<symbol, unknown>)[CONTEXT_KEY] as { getStore(): unknown };
    runWithContext({ requestId: 'x' }, () => {
      expect(shared.getStore()).toEqual({ requestId: 'x' });
      expect(getContext()).toEqual({ requestId: 'x' });
    });
    expect(getContext()).toBeUndefined();
  });
});
