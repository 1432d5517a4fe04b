/**
 * Streamed exports: events read from the store page by page (memory stays flat, no row cap),
 * encoded, hashed as they are sent, and summed up in a signed manifest once the last byte went
 * out. Manifests of recent exports are kept for `GET /api/export/:id/manifest` and recorded in
 * the trail itself, in the `console.export.finished` event.
 */
import { createHash, type KeyObject, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { type AuditEvent, type AuditFilter, MAX_PAGE_SIZE } from '@auditkit/core';
import type { Caller, ConsoleAudit } from '../console-events';
import { storeCall } from '../selection';
import type { LiveSessions } from '../sessions';
import type { TenantView } from '../tenant-view';
import type { ApiKeyInfo } from '../types';
import { ENCODERS, type ExportFormat } from './formats';
import { type ExportManifest, signManifest } from './manifest';

/** Events encoded per chunk written: large enough to amortize, small enough to stream. */
const ROWS_PER_CHUNK = 500;
/** Events read from the store per query: the most a page holds, so a long export makes few round trips. */
const PAGE_SIZE = MAX_PAGE_SIZE;
/** Manifests kept in memory for retrieval; older ones are in the trail only. */
const KEPT_MANIFESTS = 1000;

interface Pending {
  tenant: string | undefined;
  manifest: Promise<ExportManifest>;
}

export interface ExportRequest {
  view: TenantView;
  key: ApiKeyInfo;
  caller: Caller;
  format: ExportFormat;
  filterText: string;
  filter: AuditFilter;
  order: 'asc' | 'desc';
}

export class Exporter {
  readonly #manifests = new Map<string, Pending>();
  readonly #signingKey: KeyObject | undefined;
  readonly #audit: ConsoleAudit;
  readonly #sessions: LiveSessions;

  constructor(signingKey: KeyObject | undefined, audit: ConsoleAudit, sessions: LiveSessions) {
    this.#signingKey = signingKey;
    this.#audit = audit;
    this.#sessions = sessions;
  }

  /** The manifest of an export the caller's tenant made; waits for an export still running. */
  manifest(exportId: string, view: TenantView): Promise<ExportManifest> | undefined {
    const pending = this.#manifests.get(exportId);
    if (!pending || (view.tenant !== undefined && pending.tenant !== view.tenant)) return undefined;
    return pending.manifest;
  }

  /**
   * Starts an export: the store is asked for the first page before anything is sent, so a store
   * error is still an HTTP error; after that the body streams, and an error ends it early (the
   * manifest then says `complete: false` and is not signed).
   */
  async start(
    r: ExportRequest,
  ): Promise<{ exportId: string; body: Readable; contentType: string; filename: string }> {
    const exportId = randomUUID();
    const encoder = ENCODERS[r.format];
    const events = r.view
      .iterate({ filter: r.filter, order: r.order, pageSize: PAGE_SIZE })
      [Symbol.asyncIterator]();
    const firstResult = await storeCall(() => events.next());
    const startedAt = new Date().toISOString();
    let settle!: (m: ExportManifest) => void;
    const manifest = new Promise<ExportManifest>((resolve) => {
      settle = resolve;
    });
    this.#keep(exportId, { tenant: r.view.tenant, manifest });
    this.#audit.record('export', r.caller, {
      details: { exportId, format: r.format, filter: r.filterText, order: r.order },
    });

    const hash = createHash('sha256');
    const totals = { bytes: 0, count: 0, firstId: null as string | null, lastId: null as string | null };
    const emit = (text: string): Buffer => {
      const chunk = Buffer.from(text, 'utf8');
      hash.update(chunk);
      totals.bytes += chunk.length;
      return chunk;
    };
    let complete = false;
    const finish = () => {
      const signed = signManifest(
        {
          v: 1,
          exportId,
          format: r.format,
          filter: r.filterText,
          tenant: r.view.tenant ?? null,
          order: r.order,
          complete,
          ...totals,
          sha256: hash.digest('hex'),
          startedAt,
          finishedAt: new Date().toISOString(),
        },
        this.#signingKey,
      );
      settle(signed);
      this.#audit.record('export.finished', r.caller, {
        outcome: complete ? 'success' : 'failure',
        message: complete
          ? `export of ${totals.count} events`
          : `export interrupted after ${totals.count} events`,
        details: { manifest: signed as unknown as Record<string, unknown> },
      });
    };

    async function* encode(): AsyncGenerator<Buffer> {
      try {
        const head = encoder.begin();
        if (head) yield emit(head);
        let rows: AuditEvent[] = [];
        let first = true;
        let next = firstResult;
        while (!next.done) {
          const e = next.value;
          totals.count++;
          totals.firstId ??= e.id;
          totals.lastId = e.id;
          rows.push(e);
          if (rows.length >= ROWS_PER_CHUNK) {
            yield emit(encoder.rows(rows, first));
            rows = [];
            first = false;
          }
          next = await events.next();
        }
        if (rows.length > 0 || first) {
          const text = encoder.rows(rows, first);
          if (text) yield emit(text);
        }
        const tail = encoder.end();
        if (tail) yield emit(tail);
        complete = true;
      } finally {
        await events.return?.();
      }
    }

    const body = Readable.from(encode(), { objectMode: false });
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      unregister();
      finish();
    };
    const unregister = this.#sessions.add(r.key, () => body.destroy(new Error('the API key was revoked')));
    body.on('end', done);
    body.on('close', done);
    body.on('error', done);
    return {
      exportId,
      body,
      contentType: encoder.contentType,
      filename: `audit-export-${exportId}.${encoder.extension}`,
    };
  }

  #keep(id: string, pending: Pending): void {
    this.#manifests.set(id, pending);
    if (this.#manifests.size > KEPT_MANIFESTS)
      this.#manifests.delete(this.#manifests.keys().next().value as string);
  }
}
