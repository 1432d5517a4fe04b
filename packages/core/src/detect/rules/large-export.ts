import { DEFAULTS } from '../../defaults';
import type { AuditEvent } from '../../types';
import type { CommonThresholds, DetectionRule, StateOp } from '../types';
import {
  actorOrIp,
  asWindow,
  checkRuleOptions,
  duration,
  requireNumbers,
  stateKey,
  windowAdd,
} from './support';

export interface LargeExportThresholds extends CommonThresholds {
  /** Records in one export. Default 10000. */
  maxRecords: number;
  /** Bytes in one export. Default 52428800 (50 MiB). */
  maxBytes: number;
  /** Records one actor exports within the window. Default 100000. */
  maxRecordsPerWindow: number;
  /** Bytes one actor exports within the window. Default 524288000 (500 MiB). */
  maxBytesPerWindow: number;
  /** Window of the per-actor totals (ms). Default 3600000 (1 h). */
  windowMs: number;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Records from `details.records` (or `count`, `rows`); bytes from `details.bytes`, else the response size. */
function measures(e: AuditEvent): { records: number | undefined; bytes: number | undefined } {
  const d = e.details;
  return {
    records: count(d?.records) ?? count(d?.count) ?? count(d?.rows),
    bytes: count(d?.bytes) ?? count(e.request?.bytesOut),
  };
}

/** A large data export: records or bytes above a threshold in one request, or per actor per window. */
export function largeExport(
  options: Partial<LargeExportThresholds> = {},
): DetectionRule<LargeExportThresholds> {
  const name = 'large-export';
  checkRuleOptions('largeExport', options, DEFAULTS.detect.rules.largeExport);
  const thresholds = { ...DEFAULTS.detect.rules.largeExport, ...options };
  requireNumbers(name, thresholds, [
    'maxRecords',
    'maxBytes',
    'maxRecordsPerWindow',
    'maxBytesPerWindow',
    'windowMs',
  ]);
  return {
    name,
    severity: 'warning',
    thresholds,
    observe(e, t) {
      if (e.action !== 'export' || e.outcome === 'failure') return undefined;
      const subject = actorOrIp(e);
      if (!subject) return undefined;
      const { records, bytes } = measures(e);
      const ops: StateOp[] = [];
      if (records !== undefined)
        ops.push(windowAdd(stateKey(name, e.tenant, 'records', subject.id), t.windowMs, e, e.id, records));
      if (bytes !== undefined)
        ops.push(windowAdd(stateKey(name, e.tenant, 'bytes', subject.id), t.windowMs, e, e.id, bytes));
      return ops.length > 0 ? ops : undefined;
    },
    decide(e, results, t) {
      const { records, bytes } = measures(e);
      let i = 0;
      const recordsWindow = records !== undefined ? asWindow(results[i++]) : undefined;
      const bytesWindow = bytes !== undefined ? asWindow(results[i++]) : undefined;
      const reasons: string[] = [];
      if (records !== undefined && records > t.maxRecords) reasons.push(`${records} records in one export`);
      if (bytes !== undefined && bytes > t.maxBytes) reasons.push(`${bytes} bytes in one export`);
      if (recordsWindow && recordsWindow.sum > t.maxRecordsPerWindow)
        reasons.push(`${recordsWindow.sum} records within ${duration(t.windowMs)}`);
      if (bytesWindow && bytesWindow.sum > t.maxBytesPerWindow)
        reasons.push(`${bytesWindow.sum} bytes within ${duration(t.windowMs)}`);
      if (reasons.length === 0) return undefined;
      const subject = actorOrIp(e)!;
      return {
        subject,
        message: `large export by ${subject.type} ${subject.id}: ${reasons.join(', ')}`,
        evidence: {
          count: recordsWindow?.count ?? bytesWindow?.count ?? 1,
          windowMs: t.windowMs,
          records,
          bytes,
          recordsInWindow: recordsWindow?.sum,
          bytesInWindow: bytesWindow?.sum,
          thresholds: {
            maxRecords: t.maxRecords,
            maxBytes: t.maxBytes,
            maxRecordsPerWindow: t.maxRecordsPerWindow,
            maxBytesPerWindow: t.maxBytesPerWindow,
          },
          sampleEventIds: (recordsWindow ?? bytesWindow)?.samples ?? [e.id],
        },
      };
    },
  };
}
