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
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';

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
    /** Stream what other writers append to the console's directory. */
    follow?: boolean;
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
    ...(options.follow ? { follow: [dir] } : {}),
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

// biome-ignore-start lint/suspicious/noExplicitAny: stream messages are read field by field
/** A message from the stream, read field by field. */
export type StreamMessage = Record<string, any>;

export interface StreamClient {
  ws: WebSocket;
  messages: Array<Record<string, any>>;
  /** Resolves with the first message (already received or coming) that `match` accepts. */
  next(match: (m: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the HTTP status when the upgrade is refused. */
  refused: Promise<number>;
}

/** A WebSocket client of `/api/stream` that keeps every message it receives. */
export function openStream(
  base: string,
  options: { key?: string; q?: string; protocols?: string[]; query?: string } = {},
): StreamClient {
  const url = `${base.replace(/^http/, 'ws')}/api/stream${options.query ?? (options.q !== undefined ? `?q=${encodeURIComponent(options.q)}` : '')}`;
  const ws = new WebSocket(url, options.protocols ?? [], {
    headers: options.key ? { authorization: `Bearer ${options.key}` } : {},
  });
  const messages: Array<Record<string, any>> = [];
  const waiters: Array<{
    match: (m: Record<string, any>) => boolean;
    resolve: (m: Record<string, any>) => void;
  }> = [];
  const receive = (m: Record<string, any>) => {
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, any>;
    // A batch message stands for its events one by one, as the tests read them.
    if (m.type === 'events') for (const event of m.events) receive({ type: 'event', event });
    else receive(m);
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const refused = new Promise<number>((resolve) =>
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
  );
  return {
    ws,
    messages,
    closed,
    refused,
    next(match, timeoutMs = 3000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no matching message in ${timeoutMs} ms: ${JSON.stringify(messages.slice(-3))}`),
            ),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
}
// biome-ignore-end lint/suspicious/noExplicitAny: stream messages are read field by field

/** A console with an `acme` key walled to tenant acme and an `all` key over every tenant, no heartbeats. */
export function startWalledConsole(): Promise<RunningConsole> {
  return startConsole({
    keys: {
      acme: { tenant: 'acme', scopes: ['read'] },
      all: { tenant: '*', scopes: ['read'] },
    },
    server: { stream: { heartbeatMs: 0 } },
  });
}

/** The console mounted under `/audit` in a host Fastify app, with a file trail, its logger and an `acme` read key. */
export interface MountedConsole {
  url: string;
  key: string;
  log: AuditLogger;
  close(): Promise<void>;
}

/** Mounts a console in a new Fastify app after `host` has set that app up (its routes, its plugins). */
export async function mountConsole(
  host: (app: FastifyInstance) => Promise<unknown> | void,
): Promise<MountedConsole> {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-mount-'));
  const path = join(dir, 'audit.jsonl');
  const keys = join(dir, 'keys.json');
  const { key } = await createApiKey(keys, { tenant: 'acme', scopes: ['read'] });
  const log = createAuditLogger({
    service: 'host',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path })],
  });
  const server = await createAuditServer({ store: fileSink({ path }), logger: log, keys });
  const app = Fastify();
  await host(app);
  await app.register(server.plugin, { prefix: '/audit' });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    key,
    log,
    async close() {
      await app.close();
      await server.close();
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
