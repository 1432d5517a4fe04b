import { randomUUID } from 'node:crypto';
import type { AuditEvent, Batch } from '@auditkit/core';
import { MongoClient } from 'mongodb';

// Plain JS so the benchmark can start the same server.
const { startJavaMongo } = require('../../../test/infra/mongodb/start.js') as {
  startJavaMongo(): Promise<{ uri: string; stop(): Promise<unknown> }>;
};

export interface TestMongo {
  client: MongoClient;
  /** A database name unique to this run, dropped by `stop()`. */
  database: string;
  stop(): Promise<void>;
}

/** Connects to `MONGODB_URI` when set, else starts mongo-java-server (fetched by Maven on first use). */
export async function startMongo(): Promise<TestMongo> {
  const server = process.env.MONGODB_URI ? undefined : await startJavaMongo();
  const client = new MongoClient(process.env.MONGODB_URI ?? (server?.uri as string), {
    serverSelectionTimeoutMS: 10_000,
  });
  await client.connect();
  const database = `auditkit_test_${randomUUID().slice(0, 8)}`;
  return {
    client,
    database,
    async stop() {
      await client
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
      await client.close();
      await server?.stop();
    },
  };
}

let counter = 0;

/** A complete event; `time` and fields overridable. Ids sort by creation like UUIDv7. */
export function makeEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  counter++;
  return {
    v: 1,
    id: `0190${String(counter).padStart(8, '0')}-${randomUUID().slice(13)}`,
    time: new Date(Date.UTC(2026, 0, 1, 0, counter)).toISOString(),
    type: 'data.update',
    category: 'data',
    action: 'update',
    outcome: 'success',
    severity: 'info',
    actor: { id: 'alice', type: 'user' },
    source: { service: 'test' },
    ...overrides,
  } as AuditEvent;
}

export function batchOf(events: AuditEvent[]): Batch {
  return { events, jsonl: () => events.map((e) => `${JSON.stringify(e)}\n`).join('') };
}
