/**
 * Export encodings. Each turns a run of events into text; the export route hashes exactly these
 * bytes. NDJSON and JSON carry whole events (their hashes can be re-verified); CSV carries the
 * fields a spreadsheet needs, with cells that a spreadsheet would run as a formula defused.
 */
import type { AuditEvent } from '@auditkit/core';
import { stringify } from 'csv-stringify/sync';

export type ExportFormat = 'csv' | 'json' | 'ndjson';

export interface ExportEncoder {
  contentType: string;
  extension: string;
  begin(): string;
  /** `first` is true for the first run of the export. */
  rows(events: readonly AuditEvent[], first: boolean): string;
  end(): string;
}

const CSV_COLUMNS: Array<[string, (e: AuditEvent) => unknown]> = [
  ['id', (e) => e.id],
  ['time', (e) => e.time],
  ['tenant', (e) => e.tenant],
  ['type', (e) => e.type],
  ['category', (e) => e.category],
  ['action', (e) => e.action],
  ['outcome', (e) => e.outcome],
  ['severity', (e) => e.severity],
  ['actor.type', (e) => e.actor?.type],
  ['actor.id', (e) => e.actor?.id],
  ['actor.ip', (e) => e.actor?.ip],
  ['resource.type', (e) => e.resource?.type],
  ['resource.id', (e) => e.resource?.id],
  ['message', (e) => e.message],
  ['correlationId', (e) => e.correlationId],
  ['request.method', (e) => e.request?.method],
  ['request.path', (e) => e.request?.path],
  ['request.status', (e) => e.request?.status],
  ['source.service', (e) => e.source?.service],
  ['integrity.chain', (e) => e.integrity?.chain],
  ['integrity.seq', (e) => e.integrity?.seq],
  ['integrity.hash', (e) => e.integrity?.hash],
];

/** A cell starting with = + - @ or a control character would run as a formula (CSV injection): prefixed with '. */
function defuse(value: unknown): unknown {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const csv: ExportEncoder = {
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  begin: () => '',
  rows: (events, first) =>
    stringify(
      events.map((e) => CSV_COLUMNS.map(([, read]) => defuse(read(e)))),
      first ? { header: true, columns: CSV_COLUMNS.map(([name]) => name) } : {},
    ),
  end: () => '',
};

const ndjson: ExportEncoder = {
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'ndjson',
  begin: () => '',
  rows: (events) => {
    let out = '';
    for (const e of events) out += `${JSON.stringify(e)}\n`;
    return out;
  },
  end: () => '',
};

const json: ExportEncoder = {
  contentType: 'application/json; charset=utf-8',
  extension: 'json',
  begin: () => '[',
  rows: (events, first) => {
    let out = '';
    events.forEach((e, i) => {
      out += `${first && i === 0 ? '\n' : ',\n'}${JSON.stringify(e)}`;
    });
    return out;
  },
  end: () => '\n]\n',
};

export const ENCODERS: Record<ExportFormat, ExportEncoder> = { csv, json, ndjson };
