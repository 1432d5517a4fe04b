import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AuditEvent, Batch } from '@auditkit/core';
import { MongoClient } from 'mongodb';

const INFRA = join(__dirname, '../../../test/infra/mongodb');

export interface TestMongo {
  client: MongoClient;
  /** A database name unique to this run, dropped by `stop()`. */
  database: string;
  stop(): Promise<void>;
}

/** Connects to `MONGODB_URI` when set, else starts mongo-java-server (fetched by Maven on first use). */
export async function startMongo(): Promise<TestMongo> {
  let child: ChildProcess | undefined;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    if (!existsSync(join(INFRA, 'target/lib'))) {
      execFileSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=target/lib'], {
        cwd: INFRA,
        stdio: 'inherit',
      });
    }
    const server = spawn('java', ['-cp', join(INFRA, 'target/lib/*'), join(INFRA, 'Main.java')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child = server;
    const port = await new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.once('exit', (code) => reject(new Error(`mongo test server exited with ${code}`)));
      createInterface({ input: server.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const match = /^PORT (\d+)/.exec(line);
        if (match) resolve(match[1] as string);
      });
    });
    uri = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  }
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
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
      if (child) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.stdin?.end();
        child.kill();
        await exited;
      }
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
