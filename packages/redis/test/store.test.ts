import { type DetectionStore, memoryDetectionStore, type StateOp, type StateResult } from '@auditkit/core';
import { redisDetectionStore } from '@auditkit/redis';
import { testRedis } from '@auditkit/test-utils';

type Step = { at: number; ops: StateOp[] };

/** Runs the same steps against a store; the memory store is the reference behaviour. */
async function run(store: DetectionStore, steps: Step[]): Promise<StateResult[][]> {
  const out: StateResult[][] = [];
  for (const s of steps) out.push(await store.apply(s.ops, s.at));
  return out;
}

const T0 = 1_772_625_600_000;

describe('redisDetectionStore answers exactly as the memory store', () => {
  let redis: Awaited<ReturnType<typeof testRedis>>;
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(() => redis.cleanup());

  const same = async (steps: Step[]) => {
    const expected = await run(memoryDetectionStore(), steps);
    const actual = await run(redisDetectionStore({ client: redis.client, prefix: redis.prefix }), steps);
    expect(actual).toEqual(expected);
    return actual;
  };

  it('window: distinct members, samples, pruning by time, read-only reads', async () => {
    const add = (key: string, member: string, at: number): Step => ({
      at,
      ops: [{ op: 'window', key, windowMs: 1000, member, sample: `s-${member}-${at}` }],
    });
    const results = await same([
      add('w1', 'a', T0),
      add('w1', 'a', T0 + 10), // repeated member counts once
      add('w1', 'b', T0 + 500),
      add('w1', 'c', T0 + 1001), // `a` has left the window
      { at: T0 + 1002, ops: [{ op: 'window', key: 'w1', windowMs: 1000 }] },
      { at: T0 + 5000, ops: [{ op: 'window', key: 'w1', windowMs: 1000 }] },
    ]);
    expect(results[3]![0]).toMatchObject({
      count: 2,
      samples: [`s-a-${T0 + 10}`, `s-b-${T0 + 500}`, `s-c-${T0 + 1001}`],
    });
    expect(results[5]![0]).toMatchObject({ count: 0, samples: [] });
  });

  it('window: weights are summed, limits keep members out', async () => {
    const results = await same([
      { at: T0, ops: [{ op: 'window', key: 'w2', windowMs: 60_000, member: 'e1', weight: 400 }] },
      { at: T0 + 1, ops: [{ op: 'window', key: 'w2', windowMs: 60_000, member: 'e2', weight: 700 }] },
      ...['x', 'y', 'z'].map(
        (m, i): Step => ({
          at: T0 + i,
          ops: [{ op: 'window', key: 'w3', windowMs: 60_000, member: m, limit: 2, sample: m }],
        }),
      ),
    ]);
    expect(results[1]![0]).toMatchObject({ count: 2, sum: 1100 });
    expect(results[4]![0]).toMatchObject({ count: 2, added: false, samples: ['x', 'y'] });
  });

  it('firstSeen, baseline, claim and peek', async () => {
    const bucket = { op: 'baseline', key: 'b1', bucketMs: 1000, buckets: 4 } as const;
    const results = await same([
      { at: T0, ops: [{ op: 'firstSeen', key: 'f1', member: '10.0.0.1', ttlMs: 60_000 }] },
      { at: T0, ops: [{ op: 'firstSeen', key: 'f1', member: '10.0.0.1', ttlMs: 60_000 }] },
      { at: T0, ops: [{ op: 'firstSeen', key: 'f1', member: '10.0.0.2', ttlMs: 60_000 }] },
      { at: T0, ops: [bucket, bucket] },
      { at: T0 + 1000, ops: [bucket] },
      { at: T0 + 3000, ops: [bucket, bucket, bucket] },
      { at: T0 + 60_000, ops: [bucket] },
      {
        at: T0,
        ops: [
          { op: 'claim', key: 'c1', ttlMs: 200 },
          { op: 'claim', key: 'c1', ttlMs: 200 },
        ],
      },
      {
        at: T0,
        ops: [
          { op: 'peek', key: 'c1' },
          { op: 'peek', key: 'c2' },
          { op: 'claim', key: 'c0', ttlMs: 0 },
        ],
      },
    ]);
    expect(results[2]![0]).toEqual({ isNew: true, known: 1 });
    expect(results[5]![2]).toEqual({ current: 3, mean: 1, history: 3 });
    expect(results[7]).toEqual([true, false]);
  });

  it('claims expire in Redis after their cooldown (real time: Redis keeps the TTL)', async () => {
    const store = redisDetectionStore({ client: redis.client, prefix: redis.prefix });
    expect(await store.apply([{ op: 'claim', key: 'ttl', ttlMs: 50 }], T0)).toEqual([true]);
    expect(await store.apply([{ op: 'claim', key: 'ttl', ttlMs: 50 }], T0)).toEqual([false]);
    await new Promise((r) => setTimeout(r, 80));
    expect(await store.apply([{ op: 'claim', key: 'ttl', ttlMs: 50 }], T0)).toEqual([true]);
  });

  it('keeps every key under its prefix and refuses a client that is not one', async () => {
    const keys = await redis.client.keys(`${redis.prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(redis.prefix))).toBe(true);
    expect(() => redisDetectionStore({ client: {} as never })).toThrow(/ioredis client/);
  });
});
