import { once } from 'node:events';
import type { Server } from 'node:http';
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';
import {
  type AuditEvent,
  type AuditLogger,
  type AuditLoggerOptions,
  createAuditLogger,
  type MemorySink,
  memorySink,
} from '@auditkit/core';

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
