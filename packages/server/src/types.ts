/** Public types of @auditkit/server. */
import type { KeyObject } from 'node:crypto';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLogger, AuditStore, DecryptKeys } from '@auditkit/core';
import type { FastifyPluginAsync } from 'fastify';

/** What a key may do: `read` (search, stats, stream, integrity, proofs), `export`, `write` (ingest), `admin` (all of them). */
export type ApiKeyScope = 'read' | 'export' | 'write' | 'admin';

/** A key as the console shows it: never the key or its hash. */
export interface ApiKeyInfo {
  /** Public part of the key (`akc_<id>_…`), named in the console's own audit events. */
  id: string;
  /** The one tenant whose events the key reaches, or `*` for all. */
  tenant: string;
  scopes: ApiKeyScope[];
  name?: string;
  created: string;
  /** Set when the key was revoked; a revoked key is refused and its open streams are closed. */
  revoked?: string;
}

/** Options of `createAuditServer`. Resolved and checked once, when the server is created. */
export interface AuditServerOptions {
  /** The store searched, exported, verified and proven from (file, PostgreSQL, MongoDB). Required. */
  store: AuditStore;
  /**
   * The logger that seals ingested events and records the console's own `console.*` events. It
   * should deliver into `store`. Required (made by `createAuditLogger`).
   */
  logger: AuditLogger;
  /** The API keys file (JSON, hashes only; `auditkit keys create-api-key` writes it). Watched for changes. Required. */
  keys: string;
  /**
   * Ed25519 private key (PEM text, a PEM file path or a KeyObject) that signs export manifests.
   * Default: the `AUDITKIT_SIGNING_KEY` environment variable; without either, manifests carry the
   * SHA-256 and counts but no signature.
   */
  signingKey?: string | KeyObject;
  /**
   * Ed25519 public keys (PEM text, PEM file paths or KeyObjects) of the writers' checkpoint keys:
   * `GET /api/integrity` checks checkpoint signatures with them. The public half of `signingKey`
   * is always added. Default none: checkpoints are checked against the events, not signatures.
   */
  publicKeys?: Array<string | KeyObject>;
  /**
   * Keys data-subject reports decrypt protected fields with (the writers' keyring and per-subject
   * keys), or a function returning them, called for each report so a subject key erased since
   * is never used from a stale copy. Period reviews leave protected fields encrypted. Default
   * none: protected fields stay ciphertext and the report names them as encrypted.
   */
  decryptKeys?: DecryptKeys | (() => DecryptKeys);
  /** Largest request body, in bytes (ingest batches). Default 5 MiB. */
  bodyLimit?: number;
  /** Most events in one ingest batch. Default 1000. */
  maxBatch?: number;
  /** Requests per minute per client address; `false` turns rate limiting off. Default 1200. */
  rateLimit?: { max?: number; timeWindowMs?: number } | false;
  /** Origins allowed to call the API from a browser. Default none (no CORS headers at all). */
  corsOrigins?: string[];
  /** Live stream limits. */
  stream?: StreamOptions;
  /** How often the keys file is checked for changes (ms). Default 250. */
  keysPollMs?: number;
  /**
   * Also stream the lines other processes append to these audit files, or to the current
   * `*.jsonl` files of these directories (checked every 200 ms; rotation followed). For a file
   * store shared with the services that write it. Default none.
   */
  follow?: string[];
  /** Serve the OpenAPI document at `/api/openapi.json`. Default true. */
  openapi?: boolean;
}

export interface StreamOptions {
  /** Most open stream connections; one more is refused with close code 1013. Default 1000. */
  maxConnections?: number;
  /**
   * Events not yet written to one subscriber's socket, checked before each message of events (so a
   * message may add up to its size beyond it); above it the subscriber is told and dropped. Default 1000.
   */
  maxBuffered?: number;
  /** Bytes waiting in one subscriber's socket before it counts as slow. Default 4 MiB. */
  maxSocketBytes?: number;
  /**
   * Bytes of events messages waiting to be written to all subscribers together (a message sent to
   * many subscribers of one filter counts once): the stream's memory. Checked before each fan-out
   * (whose messages may add their size beyond it); above it, the subscribers holding the most are
   * cut off (close code 4008, reason slow) until it fits again; ingest and the others go on.
   * Default 256 MiB.
   */
  maxTotalBytes?: number;
  /** Interval of heartbeat messages (ms); 0 turns them off. Default 15000. */
  heartbeatMs?: number;
  /**
   * Shortest time between two messages of events to a subscriber (ms): events sealed within it go
   * out together, one message per subscriber, so the cost of sending follows time, not batches. An
   * event sealed after a quiet spell goes out at once, and 10,000 waiting events go out without
   * waiting longer. 0 sends each turn's batches. Default 0.
   */
  flushMs?: number;
  /** How long a new connection may take to send its key and filter (ms). Default 5000. */
  authTimeoutMs?: number;
  /**
   * Most stream closes by the server (slow, revoked, shutdown) remembered under the client's
   * session id, so its next connection is told why in `subscribed.previous`; the oldest is
   * forgotten first. 0 remembers none. Default 1000.
   */
  rememberCloses?: number;
  /** How long such a close is remembered (ms). Default 120000. */
  rememberCloseMs?: number;
}

/** What `createAuditServer` returns. */
export interface AuditServer {
  /** Starts a standalone server; resolves with the URL it listens on. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** The console as a Fastify plugin, to mount in an existing app: `app.register(server.plugin, { prefix: '/audit' })`. */
  readonly plugin: FastifyPluginAsync;
  /**
   * The console as an Express (or plain node:http) handler: `app.use('/audit', await
   * server.expressHandler())`, mounted before any body parser. The API is then under `/audit/api`.
   */
  expressHandler(): Promise<
    (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void
  >;
  /**
   * Routes an HTTP server's WebSocket upgrades for `<prefix>/api/stream` to the console (Express
   * never sees upgrades): `await server.attachUpgrades(httpServer, '/audit')`.
   */
  attachUpgrades(server: HttpServer, prefix?: string): Promise<void>;
  /** Live stream counters: connections, events sent, slow subscribers dropped. */
  streamStats(): StreamStats;
  /** Stops listening, closes streams and stops watching the keys file. The store and logger stay open. */
  close(): Promise<void>;
}

export interface StreamStats {
  connections: number;
  delivered: number;
  droppedSlow: number;
  /** Subscribers cut off because all of them together held more than `stream.maxTotalBytes`. */
  droppedOverBudget: number;
  /** Bytes of events messages not yet written to the subscribers' connections (a shared message once). */
  bufferedBytes: number;
  refused: number;
  /** Closes by the server remembered for their session's next connection. */
  rememberedCloses: number;
}
