import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  type AuditLogger,
  type AuditLoggerOptions,
  type AuditSink,
  createAuditLogger,
  fileSink,
  type MemorySink,
  memorySink,
} from '@auditkit/core';

/**
 * The `shop.Orders` service definition (unary and all three streaming kinds) of
 * examples/grpc-service, which the gRPC tests and benchmarks share.
 */
export const ORDERS_PROTO = join(
  __dirname,
  '..',
  '..',
  '..',
  'examples',
  'grpc-service',
  'proto',
  'orders.proto',
);

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Starts anything with `listen(port, host, cb)` (an Express app) on an ephemeral loopback port. */
export async function startServer(app: {
  listen: (port: number, host: string) => Server;
}): Promise<RunningServer> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** A logger delivering into an inspectable memory sink, with fast batching for tests. */
export function memoryLogger(options: AuditLoggerOptions = {}): { logger: AuditLogger; sink: MemorySink } {
  const sink = memorySink();
  const logger = createAuditLogger({
    service: 'test-service',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [sink],
    ...options,
  });
  return { logger, sink };
}

/**
 * A logger into a file sink that fsyncs every batch, in a fresh temporary directory, and the
 * request ids its file holds at the moment of the call (read from disk, so only what was written).
 */
export function fileLogger(options: AuditLoggerOptions = {}): {
  logger: AuditLogger;
  dir: string;
  requestIds(): string[];
} {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-file-'));
  const path = join(dir, 'audit.jsonl');
  const logger = createAuditLogger({
    service: 'test-service',
    flushOnExit: false,
    sinks: [fileSink({ path, fsync: true })],
    ...options,
  });
  const requestIds = (): string[] => {
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as AuditEvent).request?.id)
      .filter((id): id is string => typeof id === 'string');
  };
  return { logger, dir, requestIds };
}

/** A sink whose writes never settle: nothing it is given is ever confirmed as stored. */
export function hangingSink(): AuditSink {
  return { name: 'hanging', write: () => new Promise<void>(() => {}), close: async () => {} };
}

/**
 * A logger whose only sink never confirms a write (one attempt, given up after a second, errors
 * ignored): for proving that a held response is released at its time limit and counted.
 */
export function unconfirmedLogger(): AuditLogger {
  return createAuditLogger({
    service: 'test-service',
    flushOnExit: false,
    sinks: [hangingSink()],
    retry: { attempts: 1, timeoutMs: 1000 },
    onError: () => {},
  });
}

/**
 * A logger under `queue.overflow: 'block'` whose queue is full: its sink holds every write until
 * `release()`, and it holds 50 `filler` events, five times its `maxEvents`. `events` lists what the
 * sink has stored, in order.
 */
export function congestedLogger(): { logger: AuditLogger; events: AuditEvent[]; release(): void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const events: AuditEvent[] = [];
  const logger = createAuditLogger({
    service: 'test-service',
    flushOnExit: false,
    queue: { maxEvents: 10, overflow: 'block' },
    batch: { maxEvents: 5, maxWaitMs: 0 },
    retry: { timeoutMs: 0 },
    sinks: [
      {
        name: 'gated',
        write: (batch) => gate.then(() => void events.push(...batch.events)),
        close: async () => {},
      },
    ],
  });
  // Beyond what the delivery loop takes in flight, so the queue stays full until `release()`.
  for (let i = 0; i < 50; i++) logger.log({ type: 'filler' });
  if (!logger.congested) throw new Error('congestedLogger: the queue never filled');
  return { logger, events, release: open };
}

/**
 * Sends one request or call through an adapter recording into a `congestedLogger`: checks that it
 * is held (unanswered) while the queue is full and answered once the sink takes the backlog, with
 * nothing dropped. Returns its result and every event the sink stored.
 */
export async function expectHeldWhileCongested<T>(
  congested: ReturnType<typeof congestedLogger>,
  send: () => Promise<T>,
): Promise<{ result: T; events: AuditEvent[] }> {
  let answered = false;
  const pending = send().then((result) => {
    answered = true;
    return result;
  });
  await delay(200);
  expect({ answered, congested: congested.logger.congested }).toEqual({ answered: false, congested: true });
  congested.release();
  const result = await pending;
  await congested.logger.flush();
  expect(congested.logger.stats().dropped).toBe(0);
  return { result, events: congested.events };
}

/**
 * A logger whose only sink always fails, with fast retries, and the messages it reported: for
 * proving that a failing audit never fails the request or call that produced it.
 */
export function failingLogger(): { logger: AuditLogger; errors: string[] } {
  const errors: string[] = [];
  const logger = createAuditLogger({
    service: 's',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 100 },
    sinks: [{ name: 'broken', write: () => Promise.reject(new Error('disk full')), close: async () => {} }],
    onError: (e) => errors.push(e.message),
  });
  return { logger, errors };
}

/** Finds exactly one event matching `where` and returns it; fails with the events seen otherwise. */
export function expectOneEvent(events: readonly AuditEvent[], where: (e: AuditEvent) => boolean): AuditEvent {
  const found = events.filter(where);
  if (found.length !== 1) {
    throw new Error(
      `expected exactly one matching event, found ${found.length} among:\n${JSON.stringify(events, null, 2).slice(0, 4000)}`,
    );
  }
  return found[0]!;
}

/** Runs `count` async tasks with at most `concurrency` in flight. */
export async function runConcurrently<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A client of the Redis on this machine (127.0.0.1:6379; `REDIS_URL` overrides) and a random key
 * prefix of its own, so tests running at the same time never see each other's keys. Fails with
 * the command that starts Redis when nothing answers. `cleanup()` deletes the prefix's keys and
 * disconnects.
 */
export async function testRedis(): Promise<{
  client: import('ioredis').Redis;
  prefix: string;
  connect(): import('ioredis').Redis;
  cleanup(): Promise<void>;
}> {
  const { Redis } = await import('ioredis');
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const clients: import('ioredis').Redis[] = [];
  const connect = () => {
    const c = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
    clients.push(c);
    return c;
  };
  const client = connect();
  try {
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Redis at ${url} does not answer (${String(error)}); start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no`,
    );
  }
  const prefix = `auditkit-test:${randomUUID()}:`;
  return {
    client,
    prefix,
    connect,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== '0');
      for (const c of clients) c.disconnect();
    },
  };
}

export interface ReceivedWebhook {
  path: string;
  headers: import('node:http').IncomingHttpHeaders;
  body: string;
  /** The parsed JSON body. */
  json: unknown;
  /** Whether `x-auditkit-signature` matches the body under the receiver's secret. */
  signatureValid: boolean;
}

/**
 * An HTTP receiver on an ephemeral port that records every POST and checks its auditkit HMAC
 * signature. `failNext(n, status)` answers the next `n` requests with `status`.
 */
export async function startWebhookReceiver(secret = 'test-webhook-secret') {
  const { verifyWebhookSignature } = await import('@auditkit/core');
  const { createServer } = await import('node:http');
  const received: ReceivedWebhook[] = [];
  let failures = { times: 0, status: 500 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures.times > 0) {
        failures.times--;
        res.writeHead(failures.status).end('injected failure');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        signatureValid: verifyWebhookSignature({
          secret,
          body,
          signature: req.headers['x-auditkit-signature'] as string | undefined,
          timestamp: req.headers['x-auditkit-timestamp'] as string | undefined,
        }),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const running = await startServer({ listen: (port, host) => server.listen(port, host) });
  return {
    ...running,
    secret,
    received,
    failNext(times: number, status = 500) {
      failures = { times, status };
    },
  };
}

/**
 * An HTTP server that reads each request and never answers: a receiver that has hung. `requests`
 * counts the requests it took; `open` counts the connections still held.
 */
export async function startHangingReceiver() {
  const { createServer } = await import('node:http');
  let requests = 0;
  const server = createServer((req) => {
    requests++;
    req.resume();
  });
  const running = await startServer({ listen: (port, host) => server.listen(port, host) });
  return {
    ...running,
    get requests() {
      return requests;
    },
  };
}

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  /** The raw message (headers and body) as the SMTP server received it. */
  raw: string;
  subject: string | undefined;
  /** The body, with quoted-printable soft breaks and escapes decoded. */
  text: string;
}

/** Decodes a quoted-printable body (RFC 2045 §6.7): soft line breaks and `=XX` escapes. */
function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** A real SMTP server (the `smtp-server` package) on an ephemeral port, recording every message. */
export async function startSmtpReceiver() {
  const { SMTPServer } = await import('smtp-server');
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/im.exec(raw)?.[1]?.replace(/\r\n[ \t]/g, ' ');
        const split = raw.indexOf('\r\n\r\n');
        const headers = raw.slice(0, split);
        const body = raw.slice(split + 4);
        mails.push({
          text: /content-transfer-encoding: quoted-printable/i.test(headers)
            ? decodeQuotedPrintable(body)
            : body,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TcpProxy {
  /** Port the proxy listens on (127.0.0.1). */
  port: number;
  /** Connections currently relayed. */
  readonly connections: number;
  /** Destroys every relayed connection and refuses new ones until `restore()`. */
  cut(): void;
  /** Accepts and relays connections again. */
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on an ephemeral port in front of `target`, which a test can cut and restore: a
 * shared server (PostgreSQL) made unreachable for one client without stopping it for others.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  const server = createNetServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const proxy: TcpProxy = {
    port,
    get connections() {
      return sockets.size / 2;
    },
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    close() {
      proxy.cut();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
export { forgeWithoutCheckpoints } from './forge';
export * from './store-contract/chain-suite';
export * from './store-contract/events';
export * from './store-contract/ids-suite';
export * from './store-contract/lines-suite';
export * from './store-contract/suites';
export { expectThrowingCallbacksCounted, throwingCallbacks } from './throwing-callbacks';
