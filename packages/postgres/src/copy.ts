/** The fast write path: a batch as one `COPY ... FROM STDIN` in PostgreSQL's text format. */
import { finished } from 'node:stream/promises';
import type { AuditEvent } from '@auditkit/core/store';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COLUMNS } from './columns';

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value as `->>` reads it from the event: strings as they are, other JSON values as their JSON text. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** COPY's special characters escaped. */
function escaped(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text;
}

/** Events' rows as COPY text: every column of `COLUMNS`, then the event's JSON line (`lines[i]`). */
export function copyText(events: readonly AuditEvent[], lines: readonly string[]): string {
  const rows = new Array<string>(events.length + 1);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const line = lines[i]!;
    // JSON writes a backslash, tab, newline or carriage return in any string with a backslash: a
    // line without one has nothing to escape, in its fields or in itself.
    const plain = !line.includes('\\');
    let row = '';
    for (const column of COLUMNS) {
      const t = text(column.read(e));
      row += `${t === undefined ? '\\N' : plain ? t : escaped(t)}\t`;
    }
    rows[i] = row + (plain ? line : line.replaceAll('\\', '\\\\'));
  }
  rows[events.length] = '';
  return rows.join('\n');
}

/** One COPY on `client`, with `input` as its whole data; a failed COPY adds no row. */
export async function copyOn(client: PoolClient, sql: string, input: string): Promise<void> {
  const stream = client.query(copyFrom(sql));
  stream.end(input);
  await finished(stream);
}

/** A write rolled back on purpose: its connection is usable. */
export class RolledBack extends Error {
  override readonly name = 'RolledBack';
}

/** Runs `work` on a pooled client, which goes back to the pool unless its connection broke. */
export async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client's lost connection is an 'error' event that would otherwise go unhandled.
  const lost = (error: Error) => {
    broken = error;
  };
  client.on('error', lost);
  try {
    return await work(client);
  } catch (error) {
    // A database error leaves the connection usable, as does a roll-back; anything else (a lost socket) does not.
    if (typeof (error as { code?: unknown }).code !== 'string' && !(error instanceof RolledBack))
      broken ??= error as Error;
    throw error;
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}
