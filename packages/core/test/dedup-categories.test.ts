import { testLogger } from './helpers';

const attempt = (category: string) => ({
  type: 'auth.login',
  category,
  action: 'login',
  outcome: 'failure' as const,
  actor: { type: 'user' as const, id: 'mallory' },
  message: 'bad password',
});

describe('dedup categories', () => {
  it('never collapses security and authentication events by default', async () => {
    const { logger, sink } = testLogger({ dedup: true });
    for (let i = 0; i < 5; i++) logger.log(attempt('authentication'));
    for (let i = 0; i < 5; i++) logger.log(attempt('security'));
    for (let i = 0; i < 5; i++) logger.log(attempt('api'));
    await logger.close();
    const byCategory = (c: string) => sink.events.filter((e) => e.category === c).map((e) => e.count ?? 1);
    expect(byCategory('authentication')).toEqual([1, 1, 1, 1, 1]);
    expect(byCategory('security')).toEqual([1, 1, 1, 1, 1]);
    expect(byCategory('api')).toEqual([1, 4]);
    expect(logger.stats().deduplicated).toBe(3); // 4 repeats, the first of them recorded as the summary
  });

  it('follows include and exclude when given', async () => {
    const { logger, sink } = testLogger({
      dedup: { categories: { include: ['authentication', 'data'], exclude: [] } },
    });
    for (const c of ['authentication', 'data', 'api']) for (let i = 0; i < 3; i++) logger.log(attempt(c));
    await logger.close();
    expect(sink.events.map((e) => [e.category, e.count ?? 1])).toEqual([
      ['authentication', 1],
      ['data', 1],
      ['api', 1],
      ['api', 1],
      ['api', 1],
      ['authentication', 2],
      ['data', 2],
    ]);
  });
});
