/**
 * After a crash a spool can still hold records its sink already took: the process died between
 * the sink's write and the spool's cursor update. Replay starts after the newest event the sink
 * reports holding, so no id is written twice (a file sink cannot turn a duplicate away).
 */

import type { AuditSink } from '../types';
import { EventBatch } from './batch';

/** The id of the newest event `sink` holds, when it can tell; never rejects. */
export async function lastStoredId(sink: AuditSink): Promise<string | undefined> {
  if (typeof sink.lastSealed !== 'function') return undefined;
  try {
    const last = await sink.lastSealed();
    return typeof last?.id === 'string' ? last.id : undefined;
  } catch {
    // Unknown: replay everything; a store turns duplicates away by id, a file may get a few.
    return undefined;
  }
}

/**
 * The part of `batch` after the event with id `lastId`: all of it when the id is not in it, an
 * empty batch when the sink already has every event in it.
 */
export function afterStored(batch: EventBatch, lastId: string): EventBatch {
  const events = batch.events;
  let i = events.length - 1;
  while (i >= 0 && events[i]!.id !== lastId) i--;
  if (i < 0) return batch;
  return new EventBatch(events.slice(i + 1), batch.lines?.slice(i + 1));
}
