/**
 * Export encodings. Each turns a run of events into text; the export route hashes exactly these
 * bytes. NDJSON and JSON carry whole events (their hashes can be re-verified); CSV carries core's
 * export columns (as `auditkit export` writes them), with cells a spreadsheet would run as a
 * formula defused.
 */
import { type AuditEvent, EXPORT_COLUMNS, exportRow } from '@auditkit/core';

export type ExportFormat = 'csv' | 'json' | 'ndjson';

export interface ExportEncoder {
  contentType: string;
  extension: string;
  begin(): string;
  /** `first` is true for the first run of the export. */
  rows(events: readonly AuditEvent[], first: boolean): string;
  end(): string;
}

/** A cell starting with = + - @ or a control character would run as a formula (CSV injection): prefixed with '. */
function defuse(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A cell holding a comma, quote or line break is quoted, its quotes doubled (RFC 4180). */
function cell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Rows written directly rather than through a CSV library: the same bytes as csv-stringify's
 * defaults (what `auditkit export` writes), three times faster, and CSV encoding was most of an
 * export's CPU.
 */
function csvLines(rows: Iterable<readonly string[]>): string {
  let out = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) line += i === 0 ? cell(row[i]!) : `,${cell(row[i]!)}`;
    out += `${line}\n`;
  }
  return out;
}

function* defusedRows(events: readonly AuditEvent[]): Iterable<string[]> {
  for (const e of events) yield exportRow(e).map(defuse);
}

const csv: ExportEncoder = {
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  begin: () => '',
  rows: (events, first) => (first ? csvLines([EXPORT_COLUMNS]) : '') + csvLines(defusedRows(events)),
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
