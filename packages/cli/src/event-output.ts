/** How events are written by `query` and `export`: a table for people, JSON, NDJSON and CSV for programs. */
import { type AuditEvent, EXPORT_COLUMNS, exportRow } from '@auditkit/core';
import { stringify } from 'csv-stringify/sync';

export type EventFormat = 'table' | 'json' | 'csv' | 'ndjson';

/** Turns pages of events into text chunks; `end()` closes what `start()` opened (a JSON array). */
export interface EventWriter {
  start(): string;
  page(events: readonly AuditEvent[]): string;
  end(): string;
}

const TABLE = [
  ['time', 24, (e: AuditEvent) => e.time],
  ['tenant', 10, (e: AuditEvent) => e.tenant ?? ''],
  ['type', 22, (e: AuditEvent) => e.type],
  ['outcome', 7, (e: AuditEvent) => e.outcome],
  ['actor', 16, (e: AuditEvent) => e.actor?.id ?? ''],
  ['resource', 20, (e: AuditEvent) => (e.resource ? `${e.resource.type}/${e.resource.id ?? ''}` : '')],
  ['message', 40, (e: AuditEvent) => e.message ?? ''],
] as const;

/** One line, control characters shown as spaces (an event's text must not move the terminal's cursor). */
function cell(text: string, width: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing them is the point
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}

export function eventWriter(format: EventFormat): EventWriter {
  switch (format) {
    case 'table':
      return {
        start: () =>
          `${TABLE.map(([name, width]) => cell(name.toUpperCase(), width))
            .join('  ')
            .trimEnd()}\n`,
        page: (events) =>
          events
            .map(
              (e) =>
                `${TABLE.map(([, width, read]) => cell(read(e), width))
                  .join('  ')
                  .trimEnd()}\n`,
            )
            .join(''),
        end: () => '',
      };
    case 'csv':
      return {
        start: () => stringify([[...EXPORT_COLUMNS]]),
        page: (events) => (events.length ? stringify(events.map(exportRow)) : ''),
        end: () => '',
      };
    case 'ndjson':
      return {
        start: () => '',
        page: (events) => events.map((e) => `${JSON.stringify(e)}\n`).join(''),
        end: () => '',
      };
    case 'json': {
      let first = true;
      return {
        start: () => '[',
        page: (events) =>
          events
            .map((e) => {
              const sep = first ? '\n' : ',\n';
              first = false;
              return `${sep}${JSON.stringify(e)}`;
            })
            .join(''),
        end: () => (first ? ']\n' : '\n]\n'),
      };
    }
  }
}

export function checkFormat(value: string, allowed: readonly EventFormat[]): EventFormat {
  if (!(allowed as readonly string[]).includes(value))
    throw new TypeError(`--format must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as EventFormat;
}
