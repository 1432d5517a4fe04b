import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  type AuditInput,
  type AuditLogger,
  type AuditStore,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  newEventId,
} from '@auditkit/core';
import {
  type ApiKeyScope,
  type AuditServer,
  type AuditServerOptions,
  createApiKey,
  createAuditServer,
} from '@auditkit/server';

export interface KeySpec {
  tenant: string;
  scopes: ApiKeyScope[];
}

export interface RunningConsole {
  url: string;
  dir: string;
  keysPath: string;
  store: AuditStore;
  logger: AuditLogger;
  server: AuditServer;
  signing: ReturnType<typeof generateSigningKeys>;
  /** The keys made before the server started, by name. */
  keys: Record<string, string>;
  /** Records events through the server's own logger and waits until they are in the store. */
  seed(inputs: AuditInput[]): Promise<string[]>;
  api(
    path: string,
    init?: { key?: string; method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Headers;
    // biome-ignore lint/suspicious/noExplicitAny: tests read reply bodies field by field
    json: any;
    text: string;
  }>;
  /** The console.* events recorded so far. */
  consoleEvents(): Promise<AuditEvent[]>;
  close(): Promise<void>;
}

/**
 * A real console on an ephemeral port over a store (a file store in a fresh directory unless
 * given), its logger signing checkpoints every 5 events, and API keys made beforehand.
 */
export async function startConsole(
  options: {
    keys?: Record<string, KeySpec>;
    store?: (dir: string) => AuditStore;
    server?: Partial<AuditServerOptions>;
  } = {},
): Promise<RunningConsole> {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-console-'));
  const keysPath = join(dir, 'console-keys.json');
  const keys: Record<string, string> = {};
  for (const [name, spec] of Object.entries(options.keys ?? {}))
    keys[name] = (await createApiKey(keysPath, spec)).key;
  const signing = generateSigningKeys();
  const store = options.store ? options.store(dir) : fileSink({ path: join(dir, 'audit.jsonl') });
  const logger = createAuditLogger({
    service: 'console-test',
    instance: 'c-1',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [store],
    integrity: { signingKey: signing.privateKeyPem, checkpointEvery: 5 },
  });
  const server = await createAuditServer({
    store,
    logger,
    keys: keysPath,
    signingKey: signing.privateKeyPem,
    keysPollMs: 50,
    ...options.server,
  });
  const url = await server.listen({ port: 0 });
  return {
    url,
    dir,
    keysPath,
    store,
    logger,
    server,
    signing,
    keys,
    async seed(inputs) {
      const ids = inputs.map((i) => logger.log(i)!);
      await logger.flush();
      return ids;
    },
    async api(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.key) headers.authorization = `Bearer ${init.key}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      }
      const r = await fetch(url + path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
      const text = await r.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: r.status, headers: r.headers, json, text };
    },
    async consoleEvents() {
      await logger.flush();
      const page = await store.query({ limit: 1000 });
      return page.events.filter((e) => e.type.startsWith('console.')).reverse();
    },
    async close() {
      await server.close();
      await logger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An event as a service in another language sends it. */
export function foreignEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    v: 1,
    id: newEventId(),
    time: new Date().toISOString(),
    type: 'payment.refund',
    category: 'business',
    action: 'execute',
    outcome: 'success',
    severity: 'info',
    actor: { type: 'user', id: 'u-7' },
    tenant: 'acme',
    source: { service: 'billing-go' },
    ...overrides,
  } as AuditEvent;
}
