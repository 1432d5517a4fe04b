import { createAuditLogger, createBatch, verifyStore } from '@auditkit/core';
import { testDatabase } from './helpers';

const db = testDatabase();
afterAll(() => db.drop());

/**
 * A BEFORE INSERT trigger on `table` that fails the first `times` writes holding an event of type
 * `test.fail`, slowly, so the batch behind it is copied in meanwhile. The count lives in a sequence,
 * which a rollback does not undo. `statements` counts every write that got its rows in, committed
 * or rolled back.
 */
async function provokeFailures(table: string, times: number): Promise<void> {
  const t = `"${db.schema}"."${table}"`;
  await db.pool.query(`
    CREATE SEQUENCE "${db.schema}".${table}_failures;
    CREATE SEQUENCE "${db.schema}".${table}_statements;
    CREATE FUNCTION "${db.schema}".${table}_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('"${db.schema}".${table}_failures') <= ${times} THEN
        PERFORM pg_sleep(0.3);
        RAISE EXCEPTION 'provoked failure of the batch holding %', NEW.id;
      END IF;
      RETURN NEW;
    END $$;
    CREATE FUNCTION "${db.schema}".${table}_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM nextval('"${db.schema}".${table}_statements');
      RETURN NULL;
    END $$;
    CREATE TRIGGER ${table}_fail BEFORE INSERT ON ${t}
      FOR EACH ROW WHEN (NEW.type = 'test.fail') EXECUTE FUNCTION "${db.schema}".${table}_fail();
    CREATE TRIGGER ${table}_count AFTER INSERT ON ${t}
      FOR EACH STATEMENT EXECUTE FUNCTION "${db.schema}".${table}_count();`);
}

describe('postgresStore writes in flight, committed in order', () => {
  it('rolls back the batch behind a failed one, and never stores a batch ahead of one before it', async () => {
    const table = 'rollback';
    const errors: string[] = [];
    const store = db.store(table);
    await store.migrate();
    await provokeFailures(table, 2);
    const logger = createAuditLogger({
      service: 'billing',
      instance: 'b-1',
      flushOnExit: false,
      sinks: [store],
      batch: { maxEvents: 50, maxWaitMs: 1 },
      retry: { attempts: 5, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 10_000 },
      onError: (e) => errors.push(e.message),
    });
    const chain = logger.stats().integrity!.chain;
    // While the pipeline writes, the stored seqs are read again and again: 0..max, or a gap.
    const gaps: string[] = [];
    let writing = true;
    const watcher = (async () => {
      while (writing) {
        const { rows } = await db.pool.query<{ n: number; max: number }>(
          `SELECT count(*)::int AS n, coalesce(max(seq), -1)::int AS max FROM "${db.schema}".${table} WHERE chain = $1`,
          [chain],
        );
        if (rows[0]!.n !== rows[0]!.max + 1)
          gaps.push(`${rows[0]!.n} events stored, up to seq ${rows[0]!.max}`);
      }
    })();
    for (let i = 0; i < 2000; i++) {
      logger.log({ type: i === 400 ? 'test.fail' : 'invoice.paid', details: { i } });
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    await logger.flush();
    writing = false;
    await watcher;

    expect(gaps).toEqual([]);
    const { rows } = await db.pool.query<{ n: number; max: number; commits: number; statements: string }>(
      `SELECT count(*)::int AS n, max(seq)::int AS max, count(DISTINCT xmin::text)::int AS commits,
        (SELECT last_value FROM "${db.schema}".${table}_statements) AS statements
       FROM "${db.schema}".${table} WHERE chain = $1`,
      [chain],
    );
    expect(rows[0]).toMatchObject({ n: 2000, max: 1999 });
    // Some write got its rows in and was rolled back: the batch behind the failed one.
    expect(Number(rows[0]!.statements)).toBeGreaterThan(rows[0]!.commits);
    const stats = logger.stats().sinks[0]!;
    expect(stats).toMatchObject({ delivered: 2000, failed: 0 });
    expect(stats.retries).toBe(2); // the failed batch's two tries; the roll-back behind it is no failure
    expect(errors).toEqual([
      expect.stringMatching(/write failed, retrying: provoked failure/),
      expect.stringMatching(/write failed, retrying: provoked failure/),
    ]);
    await logger.close();
    expect((await verifyStore(store)).breaks).toEqual([]);
  });

  it('commits a write behind another only once that one is stored, the replay path included', async () => {
    const table = 'behind';
    const store = db.store(table);
    const captured = db.store('behind_source');
    const logger = createAuditLogger({ service: 'billing', flushOnExit: false, sinks: [captured] });
    for (let i = 0; i < 30; i++) logger.log({ type: 'invoice.paid', details: { i } });
    await logger.close();
    const events = [...(await captured.query({ limit: 100 })).events].reverse();
    const count = async () =>
      (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db.schema}".${table}`)).rows[0]!
        .n;
    await store.write(createBatch(events.slice(0, 10)));

    // Holding ids already stored, its COPY is refused and the INSERT writes the rest, in the same
    // transaction, which waits for the write ahead.
    let ahead!: () => void;
    const replay = store.write(createBatch(events.slice(5, 20)), {
      after: new Promise<void>((resolve) => {
        ahead = resolve;
      }),
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(await count()).toBe(10);
    ahead();
    await replay;
    expect(await count()).toBe(20);

    // The write ahead failed: nothing of this one is stored, and it says why.
    const refused = store.write(createBatch(events.slice(20)), {
      after: Promise.reject(new Error('ahead failed')),
    });
    await expect(refused).rejects.toThrow(
      'the write ahead of this batch failed, so this batch was rolled back',
    );
    expect(await count()).toBe(20);
    // The connection it used is fine: the next write goes through.
    await store.write(createBatch(events.slice(20)), { after: Promise.resolve() });
    expect(await count()).toBe(30);
  });

  it('writes one batch at a time with writesInFlight 1, and refuses a bad figure', async () => {
    expect(store({ writesInFlight: 2 }).writesInFlight).toBe(2);
    expect(store({}).writesInFlight).toBe(2);
    expect(store({ writesInFlight: 1 }).writesInFlight).toBe(1);
    expect(() => store({ writesInFlight: 0 })).toThrow(
      'postgresStore: `writesInFlight` must be an integer >= 1, not 0',
    );
    expect(() => store({ writesInFlight: 1.5 })).toThrow(/`writesInFlight` must be an integer >= 1, not 1.5/);
  });
});

function store(options: { writesInFlight?: number }) {
  return db.store('options', 'none', options);
}
