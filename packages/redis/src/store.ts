import {
  type BaselineResult,
  DEFAULTS,
  type DetectionStore,
  type FirstSeenResult,
  SAMPLE_LIMIT,
  type StateOp,
  type StateResult,
  type WindowResult,
} from '@auditkit/core/store';
import type { ChainableCommander, Redis } from 'ioredis';
import { BASELINE, FIRST_SEEN, WINDOW } from './scripts';

export interface RedisDetectionStoreOptions {
  /** An ioredis client you own (the store never quits it). Required. */
  client: Redis;
  /** Put before every key, so several applications (or tests) share one Redis. Default `auditkit:detect:`. */
  prefix?: string;
  /** Members a first-seen set remembers at most per key. Default 1000. */
  maxMembers?: number;
  /** Store name in stats and messages. Default `redis`. */
  name?: string;
}

/** The scripts as ioredis custom commands (EVALSHA, loaded on first use on each connection). */
interface ScriptCommands {
  auditkitWindow(...args: Array<string | number>): ChainableCommander;
  auditkitFirstSeen(...args: Array<string | number>): ChainableCommander;
  auditkitBaseline(...args: Array<string | number>): ChainableCommander;
}

function define(client: Redis): void {
  const c = client as Redis & Partial<ScriptCommands>;
  if (typeof c.auditkitWindow === 'function') return;
  client.defineCommand('auditkitWindow', { numberOfKeys: 3, lua: WINDOW });
  client.defineCommand('auditkitFirstSeen', { numberOfKeys: 1, lua: FIRST_SEEN });
  client.defineCommand('auditkitBaseline', { numberOfKeys: 1, lua: BASELINE });
}

/**
 * Detection and alert state in Redis: windowed counters, distinct sets, first-seen sets, rolling
 * baselines and once-per-cooldown claims, shared by every instance that uses the same Redis and
 * prefix. One `apply` is one pipelined round trip; each operation is one atomic script or command.
 */
export function redisDetectionStore(options: RedisDetectionStoreOptions): DetectionStore {
  const client = options?.client;
  if (!client || typeof client.pipeline !== 'function' || typeof client.defineCommand !== 'function')
    throw new TypeError('auditkit: redisDetectionStore: client must be an ioredis client');
  const prefix = options.prefix ?? 'auditkit:detect:';
  if (typeof prefix !== 'string')
    throw new TypeError('auditkit: redisDetectionStore: prefix must be a string');
  const maxMembers = options.maxMembers ?? DEFAULTS.detect.maxMembers;
  define(client);
  // The braces are a hash tag: all keys of one state key live in one cluster slot.
  const k = (key: string) => `${prefix}{${key}}`;

  return {
    name: options.name ?? 'redis',
    async apply(ops: readonly StateOp[], now: number): Promise<StateResult[]> {
      if (ops.length === 0) return [];
      const p = client.pipeline() as ChainableCommander & ScriptCommands;
      for (const op of ops) {
        switch (op.op) {
          case 'window': {
            const key = k(op.key);
            p.auditkitWindow(
              key,
              `${key}:w`,
              `${key}:s`,
              now,
              op.windowMs,
              op.member ?? '',
              op.weight === undefined ? '' : op.weight,
              op.sample ?? '',
              op.limit ?? -1,
              SAMPLE_LIMIT,
            );
            break;
          }
          case 'firstSeen':
            p.auditkitFirstSeen(k(op.key), op.member, Math.max(1, Math.ceil(op.ttlMs)), maxMembers);
            break;
          case 'baseline':
            p.auditkitBaseline(k(op.key), now, op.bucketMs, op.buckets);
            break;
          case 'claim':
            // PX needs a positive time; a zero cooldown claims every time.
            if (op.ttlMs >= 1) p.set(k(op.key), '1', 'PX', Math.ceil(op.ttlMs), 'NX');
            else p.echo('OK');
            break;
          case 'peek':
            p.exists(k(op.key));
            break;
        }
      }
      const replies = await p.exec();
      if (!replies) throw new Error('redis pipeline was discarded');
      return ops.map((op, i) => {
        const [error, value] = replies[i]!;
        if (error) throw error;
        return decode(op, value);
      });
    },
  };
}

function decode(op: StateOp, value: unknown): StateResult {
  switch (op.op) {
    case 'window': {
      const [count, sum, samples, added] = value as [number, string, string[], number];
      return { count, sum: Number(sum), samples, added: added === 1 } satisfies WindowResult;
    }
    case 'firstSeen': {
      const [isNew, known] = value as [number, number];
      return { isNew: isNew === 1, known } satisfies FirstSeenResult;
    }
    case 'baseline': {
      const [current, total, history] = value as [number, number, number];
      return { current, mean: history > 0 ? total / history : 0, history } satisfies BaselineResult;
    }
    case 'claim':
      return value === 'OK';
    case 'peek':
      return value === 1;
  }
}
