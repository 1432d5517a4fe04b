/** The server's options, checked and given their defaults once, when the server is created. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { type AuditLogger, type AuditStore, type DecryptKeys, loadSigningKey } from '@auditkit/core';
import type { AuditServerOptions, StreamOptions } from './types';

/** Every default in one place; the JSDoc in types.ts and the README repeat them. */
export const SERVER_DEFAULTS = {
  bodyLimit: 5 * 1024 * 1024,
  maxBatch: 1000,
  rateLimit: { max: 1200, timeWindowMs: 60_000 },
  keysPollMs: 250,
  stream: {
    maxConnections: 1000,
    maxBuffered: 1000,
    maxSocketBytes: 4 * 1024 * 1024,
    maxTotalBytes: 256 * 1024 * 1024,
    heartbeatMs: 15_000,
    flushMs: 0,
    authTimeoutMs: 5000,
    rememberCloses: 1000,
    rememberCloseMs: 120_000,
  },
} as const;

export interface ResolvedServerOptions {
  store: AuditStore;
  logger: AuditLogger;
  keysPath: string;
  signingKey: KeyObject | undefined;
  publicKeys: Array<string | KeyObject>;
  /** The keys for one report (read afresh each time when given as a function). */
  decryptKeys: () => DecryptKeys | undefined;
  bodyLimit: number;
  maxBatch: number;
  rateLimit: { max: number; timeWindowMs: number } | false;
  corsOrigins: string[];
  stream: Required<StreamOptions>;
  keysPollMs: number;
  follow: string[];
  openapi: boolean;
}

function count(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw new TypeError(
      `createAuditServer: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`,
    );
  return value;
}

function stringList(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === ''))
    throw new TypeError(`createAuditServer: ${name} must be a list of paths, got ${JSON.stringify(value)}`);
  return value as string[];
}

function hasMethods(value: unknown, methods: string[]): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}

export function resolveServerOptions(options: AuditServerOptions): ResolvedServerOptions {
  if (!options || typeof options !== 'object') throw new TypeError('createAuditServer: options are required');
  if (!hasMethods(options.store, ['query', 'get', 'stats', 'chainHeads']))
    throw new TypeError('createAuditServer: store must be an AuditStore (query, get, stats, chainHeads)');
  if (!hasMethods(options.logger, ['log', 'flush']))
    throw new TypeError('createAuditServer: logger must be an AuditLogger from createAuditLogger');
  if (typeof options.keys !== 'string' || options.keys === '')
    throw new TypeError(
      `createAuditServer: keys must be the path of the API keys file, got ${JSON.stringify(options.keys)}`,
    );
  const rate = options.rateLimit;
  const s: StreamOptions = options.stream ?? {};
  const d = SERVER_DEFAULTS;
  const cors = options.corsOrigins ?? [];
  if (!Array.isArray(cors) || cors.some((o) => typeof o !== 'string' || o === '*'))
    throw new TypeError(
      `createAuditServer: corsOrigins must list origins (not '*'), got ${JSON.stringify(options.corsOrigins)}`,
    );
  const signingKey = loadSigningKey(options.signingKey);
  if (!Array.isArray(options.publicKeys ?? []))
    throw new TypeError(
      'createAuditServer: publicKeys must be a list of PEM texts, PEM file paths or KeyObjects',
    );
  const publicKeys = [...(options.publicKeys ?? [])];
  if (signingKey) publicKeys.push(createPublicKey(signingKey));
  return {
    store: options.store,
    logger: options.logger,
    keysPath: options.keys,
    signingKey,
    publicKeys,
    decryptKeys: decryptKeysOf(options.decryptKeys),
    bodyLimit: count('bodyLimit', options.bodyLimit, d.bodyLimit),
    maxBatch: count('maxBatch', options.maxBatch, d.maxBatch),
    rateLimit:
      rate === false
        ? false
        : {
            max: count('rateLimit.max', rate?.max, d.rateLimit.max),
            timeWindowMs: count('rateLimit.timeWindowMs', rate?.timeWindowMs, d.rateLimit.timeWindowMs),
          },
    corsOrigins: cors,
    stream: {
      maxConnections: count('stream.maxConnections', s.maxConnections, d.stream.maxConnections),
      maxBuffered: count('stream.maxBuffered', s.maxBuffered, d.stream.maxBuffered),
      maxSocketBytes: count('stream.maxSocketBytes', s.maxSocketBytes, d.stream.maxSocketBytes),
      maxTotalBytes: count('stream.maxTotalBytes', s.maxTotalBytes, d.stream.maxTotalBytes),
      heartbeatMs: count('stream.heartbeatMs', s.heartbeatMs, d.stream.heartbeatMs, 0),
      flushMs: count('stream.flushMs', s.flushMs, d.stream.flushMs, 0),
      authTimeoutMs: count('stream.authTimeoutMs', s.authTimeoutMs, d.stream.authTimeoutMs),
      rememberCloses: count('stream.rememberCloses', s.rememberCloses, d.stream.rememberCloses, 0),
      rememberCloseMs: count('stream.rememberCloseMs', s.rememberCloseMs, d.stream.rememberCloseMs),
    },
    keysPollMs: count('keysPollMs', options.keysPollMs, d.keysPollMs),
    follow: stringList('follow', options.follow),
    openapi: options.openapi ?? true,
  };
}

/** `decryptKeys` as a function; an object without a usable keyring or subject key store is refused here. */
function decryptKeysOf(keys: AuditServerOptions['decryptKeys']): () => DecryptKeys | undefined {
  if (keys === undefined) return () => undefined;
  if (typeof keys === 'function') return keys;
  const usable = (k: unknown) => k === undefined || hasMethods(k, ['get']);
  if (typeof keys !== 'object' || keys === null || !usable(keys.keyring) || !usable(keys.subjects))
    throw new TypeError(
      'createAuditServer: decryptKeys must be { keyring?, subjects? } (each with get(kid)) or a function returning it',
    );
  return () => keys;
}
