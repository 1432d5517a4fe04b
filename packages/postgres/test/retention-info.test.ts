/** retention(): the policy the database stores (and enforces) and the oldest event held. */
import { logInto, testDatabase } from './helpers';

const db = testDatabase();
afterAll(() => db.drop());

describe('postgresStore retention()', () => {
  it('reads the stored policy back, per category and by default', async () => {
    const store = db.store('kept_policy', 'monthly', {
      retention: { default: 365, categories: { security: 2555, api: 90 } },
    });
    const { ids } = await logInto(store, [
      { type: 'first', category: 'api', time: new Date('2026-03-01T00:00:00Z') },
      { type: 'second', category: 'security', time: new Date('2026-04-01T00:00:00Z') },
    ]);
    expect(await store.retention!()).toEqual({
      maxAgeDays: { default: 365, categories: { security: 2555, api: 90 } },
      enforcement: expect.stringMatching(/whole months/),
      oldest: { id: ids[0], time: '2026-03-01T00:00:00.000Z' },
    });
  });

  it('says every event is kept when no policy is stored', async () => {
    const store = db.store('kept_forever');
    expect(await store.retention!()).toEqual({ enforcement: expect.stringMatching(/keeps every event/) });
  });
});
