/** The fast write path: a batch as one `COPY ... FROM STDIN` in PostgreSQL's text format. */
import { finished } from 'node:stream/promises';
import type { AuditEvent } from '@auditkit/core';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { FIELD_COLUMNS } from './columns';

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value as `->>` reads it from the event: strings as they are, other JSON values as their JSON text. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One field in COPY text format: NULL, or the text with COPY's special characters escaped. */
function escaped(value: unknown): string {
  const t = text(value);
  if (t === undefined) return '\\N';
  return SPECIAL.test(t) ? t.replace(SPECIALS, (c) => ESCAPES[c]!) : t;
}

/** A batch's rows as COPY text: every column of `COLUMNS`, the whole event last as its JSON line. */
export function copyText(events: readonly AuditEvent[], jsonl: string): string {
  const lines = jsonl.split('\n');
  const rows = new Array<string>(events.length + 1);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const line = lines[i]!;
    // JSON writes a backslash, tab, newline or carriage return in any string with a backslash: a
    // line without one has nothing to escape, in its fields or in itself.
    let row = '';
    if (line.includes('\\')) {
      for (const column of FIELD_COLUMNS) row += `${escaped(column.read(e))}\t`;
      rows[i] = row + line.replaceAll('\\', '\\\\');
    } else {
      for (const column of FIELD_COLUMNS) row += `${text(column.read(e)) ?? '\\N'}\t`;
      rows[i] = row + line;
    }
  }
  rows[events.length] = '';
  return rows.join('\n');
}

/** Runs one COPY with `input` as its whole data; a failed COPY adds no row. */
export async function copyInto(pool: Pool, sql: string, input: string): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client's lost connection is an 'error' event that would otherwise go unhandled.
  const lost = (error: Error) => {
    broken = error;
  };
  client.on('error', lost);
  try {
    const stream = client.query(copyFrom(sql));
    stream.end(input);
    await finished(stream);
  } catch (error) {
    // A database error leaves the connection usable; anything else (a lost socket) does not.
    if (typeof (error as { code?: unknown }).code !== 'string') broken ??= error as Error;
    throw error;
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}
