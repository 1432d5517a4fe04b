/**
 * Sinks that write a batch's sealed lines (its JSON Lines bytes) and never read its events. When
 * every sink of a sealed logger does, events wait in the queue as their canonical text instead of
 * as objects (see `TextArena`).
 */
import type { AuditSink } from '../types';

const WRITES_LINES = Symbol('auditkit.writes-lines');

/** Marks `sink` as one that reads only `batchBytes(batch)` / `batch.jsonl()` of what it is given. */
export function markWritesLines<S extends AuditSink>(sink: S): S {
  Object.defineProperty(sink, WRITES_LINES, { value: true });
  return sink;
}

export function writesLinesOnly(sink: AuditSink): boolean {
  return (sink as unknown as Record<symbol, boolean | undefined>)[WRITES_LINES] === true;
}
