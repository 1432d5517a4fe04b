/**
 * Ingest for services that cannot run auditkit themselves: events validated against the published
 * schema, held to the key's tenant, deduplicated by id (the idempotency key), then sealed by the
 * server's own logger. An event is sealed at most once, so a retried request never leaves a
 * second copy in the chain (which verification would report as a gap once the store drops it).
 */
import {
  type AuditEvent,
  type AuditLogger,
  type AuditStore,
  ingestEvent,
  RESERVED_TYPE_PREFIX,
  storedIds,
} from '@auditkit/core';
import eventSchemaJson from '@auditkit/core/schema/audit-event.v1.json';
import Ajv2020 from 'ajv/dist/2020';
import { type AjvLikeError, ConsoleError, type FieldError } from './errors';
import { RecentIds } from './recent-ids';
import type { ApiKeyInfo } from './types';

type AjvErrors = AjvLikeError[];

/** Fields a producer's own pipeline sets; an ingested event must come without them. */
const SET_BY_PIPELINE = ['integrity', 'protected', 'count', 'lastTime', 'repeatOf'] as const;

/** How many ingested ids are remembered, so most retries are answered without asking the store. */
const RECENT_IDS = 100_000;

/**
 * A Fastify validator for the ingest body: one event or a batch of up to `maxBatch`, each checked
 * against core's schema with every error reported (`body/3/actor/type is required`).
 */
export function ingestBodyValidator(maxBatch: number): ((data: unknown) => boolean) & { errors?: AjvErrors } {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const one = ajv.compile(eventSchemaJson);
  const validate = ((data: unknown): boolean => {
    const errors: AjvErrors = [];
    const list = Array.isArray(data) ? data : [data];
    const prefix = (i: number) => (Array.isArray(data) ? `/${i}` : '');
    if (Array.isArray(data) && (data.length === 0 || data.length > maxBatch)) {
      validate.errors = [
        { instancePath: '', message: `must hold 1 to ${maxBatch} events, got ${data.length}` },
      ];
      return false;
    }
    list.forEach((event, i) => {
      if (!one(event)) {
        for (const e of one.errors ?? []) errors.push({ ...e, instancePath: prefix(i) + e.instancePath });
        return;
      }
      for (const field of SET_BY_PIPELINE) {
        if ((event as Record<string, unknown>)[field] !== undefined)
          errors.push({
            instancePath: `${prefix(i)}/${field}`,
            message: 'is set by the pipeline that seals the event; send events without it',
          });
      }
      // Verifiers read these as the sealing pipeline's own events (a checkpoint, a chain's start).
      if ((event as { type: string }).type.startsWith(RESERVED_TYPE_PREFIX))
        errors.push({
          instancePath: `${prefix(i)}/type`,
          message: `must not start with "${RESERVED_TYPE_PREFIX}": those types are written by auditkit itself`,
        });
    });
    validate.errors = errors.length > 0 ? errors : undefined;
    return errors.length === 0;
  }) as ((data: unknown) => boolean) & { errors?: AjvErrors };
  return validate;
}

export type IngestStatus = 'accepted' | 'duplicate' | 'not-recorded';

export class Ingestor {
  readonly #logger: AuditLogger;
  readonly #store: AuditStore;
  /** Ids being sealed by a request still in flight: a concurrent retry is a duplicate. */
  readonly #pending = new Set<string>();
  readonly #recent = new RecentIds(RECENT_IDS);

  constructor(logger: AuditLogger, store: AuditStore) {
    this.#logger = logger;
    this.#store = store;
  }

  /** Holds every event to the key's tenant; an event for another tenant refuses the whole request. */
  static checkTenants(events: AuditEvent[], key: ApiKeyInfo, batch: boolean): void {
    if (key.tenant === '*') return;
    const errors: FieldError[] = [];
    events.forEach((e, i) => {
      if (e.tenant === undefined) e.tenant = key.tenant;
      else if (e.tenant !== key.tenant)
        errors.push({
          field: `body${batch ? `/${i}` : ''}/tenant`,
          message: `this key writes only tenant ${JSON.stringify(key.tenant)}`,
        });
    });
    if (errors.length > 0)
      throw new ConsoleError(403, errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  }

  /** Seals the new events and resolves once the logger delivered them (or failed: see its stats). */
  async ingest(events: AuditEvent[]): Promise<Array<{ id: string; status: IngestStatus }>> {
    const known = await this.#known(events.map((e) => e.id));
    const results: Array<{ id: string; status: IngestStatus }> = [];
    const sealed: string[] = [];
    for (const event of events) {
      if (known.has(event.id) || this.#pending.has(event.id)) {
        results.push({ id: event.id, status: 'duplicate' });
        continue;
      }
      this.#pending.add(event.id);
      const id = ingestEvent(this.#logger, event);
      if (id === undefined) {
        this.#pending.delete(event.id);
        results.push({ id: event.id, status: 'not-recorded' });
        continue;
      }
      sealed.push(id);
      results.push({ id, status: 'accepted' });
    }
    try {
      if (sealed.length > 0) await this.#logger.flush();
    } finally {
      for (const id of sealed) {
        this.#pending.delete(id);
        this.#recent.add(id);
      }
    }
    return results;
  }

  /** Which of `ids` were recorded before: remembered ones, then the store. */
  async #known(ids: string[]): Promise<Set<string>> {
    const known = new Set<string>();
    const unknown: string[] = [];
    for (const id of ids) {
      if (this.#recent.has(id)) known.add(id);
      else unknown.push(id);
    }
    // One round trip for the batch where the store answers by ids (PostgreSQL); the store
    // contract's queries by id otherwise.
    for (const id of await storedIds(this.#store, unknown)) known.add(id);
    return known;
  }
}
