/** What the caller's thread and the delivery worker tell each other. */
import type { ResolvedOptions } from '../../options';
import type { AuditErrorKind, AuditEvent, AuditStats, Source } from '../../types';
import type { RingBuffers } from './ring';
import type { SinkRecipe } from './sink-recipe';

/**
 * The first character of a ring record says what follows: an event's canonical halves, head and
 * tail around its seal, split by a newline (which JSON text never holds raw), or an event's JSON.
 */
export const TEXT_RECORD = 'c';
export const JSON_RECORD = 'j';

/** The worker's `workerData`: the delivery options as plain data, the sinks as recipes. */
export interface WorkerSettings {
  ring: RingBuffers;
  source: Source;
  sinks: Array<{ recipe: SinkRecipe; primary: boolean }>;
  queue: ResolvedOptions['queue'];
  batch: ResolvedOptions['batch'];
  retry: ResolvedOptions['retry'];
  breaker: ResolvedOptions['breaker'];
  spool: ResolvedOptions['spool'];
  durable: boolean;
  integrity:
    | {
        every: number;
        intervalMs: number;
        keyPem: string | undefined;
        file: string | undefined;
        resume: boolean;
      }
    | undefined;
}

/** Requests that wait until the worker has taken `upTo` records off the ring, then answer `done`. */
export type WorkerRequest = { id: number; upTo: number } & (
  | { type: 'flush' }
  | { type: 'stored' }
  | { type: 'close' }
);

export type ToWorker = WorkerRequest | { type: 'sealed'; on: boolean } | { type: 'wake' };

/** The worker's counters, sent with every answer and now and then while it works. */
export interface WorkerCounts {
  queued: number;
  dropped: number;
  stats: Pick<AuditStats, 'queue' | 'sinks' | 'integrity'>;
}

export type FromWorker =
  | { type: 'done'; id: number; ok: boolean; counts: WorkerCounts }
  | { type: 'counts'; counts: WorkerCounts }
  | { type: 'error'; kind: AuditErrorKind; message: string; sink: string | undefined }
  | { type: 'sealed'; events: AuditEvent[] };
