/**
 * The API's shapes, each declared once with TypeBox: Fastify validates requests with them (400s
 * naming the field), handlers get their types, and @fastify/swagger publishes them as OpenAPI.
 * Replies are serialized with plain JSON.stringify: events go out exactly as stored, so their
 * hashes still verify; the reply schemas document them.
 */
import type { AuditEvent, CheckpointDetails } from '@auditkit/core';
import eventSchemaJson from '@auditkit/core/schema/audit-event.v1.json';
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const { $schema: _draft, $id: _id, ...eventSchemaBody } = eventSchemaJson;

/** Core's published event schema (v1), as a shared schema referenced by id. */
export const AuditEventSchema = Type.Unsafe<AuditEvent>({ ...eventSchemaBody, $id: 'AuditEvent' });
export const EventRef = Type.Unsafe<AuditEvent>(Type.Ref('AuditEvent'));

export const ErrorReply = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Where: `body/0/actor/type`, `querystring/limit`.' }),
          message: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'ErrorReply' },
);
export const ErrorRef = Type.Ref('ErrorReply');

/** Error replies every authenticated route can give. */
export const AUTH_ERRORS = { 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 429: ErrorRef } as const;

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('failing')]),
  reasons: Type.Array(Type.String()),
});

export const IngestReply = Type.Object({
  accepted: Type.Integer({ description: 'Events sealed and delivered to the store by this request.' }),
  duplicates: Type.Integer({
    description: 'Events whose id was already recorded (the id is the idempotency key).',
  }),
  notRecorded: Type.Integer({
    description: "Events the server's logger filtered, sampled out or dropped (see its stats).",
  }),
  results: Type.Array(
    Type.Object({
      id: Type.String(),
      status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('not-recorded')]),
    }),
  ),
});

export const IngestBody = Type.Union([EventRef, Type.Array(EventRef, { minItems: 1 })], {
  description:
    'One event or a batch, each valid against the published schema (auditkit audit event v1), without `integrity`: the server seals them.',
});

export const ChainIntegrity = Type.Object({
  chain: Type.String(),
  ok: Type.Boolean(),
  events: Type.Integer(),
  firstSeq: Type.Integer(),
  lastSeq: Type.Integer(),
  checkpoints: Type.Integer(),
  uncovered: Type.Integer({ description: 'Events after the last checkpoint, not signed yet.' }),
  lastCheckpoint: Type.Optional(
    Type.Object({
      seq: Type.Integer(),
      size: Type.Integer(),
      time: Type.String(),
      kid: Type.String(),
      signatureChecked: Type.Boolean(),
    }),
  ),
  firstBreak: Type.Optional(
    Type.Object({
      kind: Type.String(),
      message: Type.String(),
      seq: Type.Optional(Type.Integer()),
      eventId: Type.Optional(Type.String({ description: "Only when the event is the caller's tenant's." })),
    }),
  ),
});

export const IntegrityReply = Type.Object({
  ok: Type.Boolean(),
  signaturesChecked: Type.Boolean(),
  chains: Type.Array(ChainIntegrity),
});

export const IntegrityQuery = Type.Object({
  chain: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Verify only this chain.' })),
});

export const IdParams = Type.Object({
  id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$', description: 'Event id (UUIDv7).' }),
});

export const ProofReply = Type.Object(
  {
    event: EventRef,
    index: Type.Integer(),
    proof: Type.Array(Type.String()),
    checkpoint: Type.Unsafe<CheckpointDetails>(Type.Object({}, { additionalProperties: true })),
  },
  {
    description:
      'Check offline: save as proof.json, then `auditkit verify-proof proof.json --key signing.pub`.',
  },
);

const FilterText = Type.String({
  maxLength: 4096,
  description:
    'Filter language: `actor:u-alice -outcome:success type:auth.* resource.id:"inv 7" since:24h until:2026-11-01 refund`.',
});

export const EventsQuery = Type.Object({
  q: Type.Optional(FilterText),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 2048, description: 'nextCursor of the previous page.' })),
  order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')], { default: 'desc' })),
});

export const EventsPage = Type.Object({
  events: Type.Array(EventRef),
  nextCursor: Type.Optional(
    Type.String({ description: 'Pass as `cursor` for the next page; absent on the last.' }),
  ),
});

export const EventQuery = Type.Object({
  around: Type.Optional(
    Type.Union([Type.Literal('actor'), Type.Literal('resource'), Type.Literal('correlation')], {
      description:
        'Also return the events before and after it with the same actor, resource or correlation id.',
    }),
  ),
  before: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 10 })),
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 10 })),
});

export const EventReply = Type.Object({
  event: EventRef,
  around: Type.Optional(
    Type.Object({
      by: Type.String(),
      before: Type.Array(EventRef, { description: 'Oldest first.' }),
      after: Type.Array(EventRef, { description: 'Oldest first.' }),
    }),
  ),
});

export const StatsQuery = Type.Object({
  q: Type.Optional(FilterText),
  bucket: Type.Optional(
    Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')], { default: 'hour' }),
  ),
});

const Counts = Type.Record(Type.String(), Type.Integer());
export const StatsReply = Type.Object({
  total: Type.Integer(),
  byType: Counts,
  byOutcome: Counts,
  byCategory: Counts,
  byActor: Counts,
  byResource: Counts,
  overTime: Type.Array(Type.Object({ start: Type.String(), count: Type.Integer(), byOutcome: Counts })),
  store: Type.Object({ name: Type.String() }),
  pipeline: Health,
});

export const RetentionReply = Type.Object({
  store: Type.Object({ name: Type.String() }),
  described: Type.Boolean({ description: 'Whether the store describes its retention (`retention()`).' }),
  maxAgeDays: Type.Optional(
    Type.Object(
      {
        default: Type.Optional(Type.Number({ description: 'Every category not named.' })),
        categories: Type.Optional(Type.Record(Type.String(), Type.Number())),
      },
      { description: 'Days events are kept; absent: no age limit.' },
    ),
  ),
  files: Type.Optional(
    Type.Object(
      { maxFiles: Type.Integer(), maxFileBytes: Type.Integer(), rotateDaily: Type.Boolean() },
      { description: 'A file store: rotated files kept (0: all) and the size a file rotates at.' },
    ),
  ),
  enforcement: Type.String({ description: 'How the limits are applied.' }),
  oldest: Type.Optional(
    Type.Object(
      { id: Type.String(), time: Type.String() },
      { description: "The oldest event held inside the key's tenant wall." },
    ),
  ),
});

export const ExportQuery = Type.Object({
  format: Type.Optional(
    Type.Union([Type.Literal('csv'), Type.Literal('json'), Type.Literal('ndjson')], { default: 'ndjson' }),
  ),
  q: Type.Optional(FilterText),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
});

export const ExportBody = Type.String({
  description:
    'The events, streamed. Headers: `x-auditkit-export-id`, and `x-auditkit-manifest` naming where the signed manifest is (available once the body ended).',
});

export const ManifestParams = Type.Object({ exportId: Type.String({ format: 'uuid' }) });

export const ManifestReply = Type.Object(
  {
    v: Type.Literal(1),
    exportId: Type.String(),
    format: Type.String(),
    filter: Type.String(),
    tenant: Type.Union([Type.String(), Type.Null()]),
    order: Type.String(),
    complete: Type.Boolean(),
    count: Type.Integer(),
    firstId: Type.Union([Type.String(), Type.Null()]),
    lastId: Type.Union([Type.String(), Type.Null()]),
    bytes: Type.Integer(),
    sha256: Type.String(),
    startedAt: Type.String(),
    finishedAt: Type.String(),
    alg: Type.Optional(Type.Literal('Ed25519')),
    kid: Type.Optional(Type.String()),
    signature: Type.Optional(Type.String()),
  },
  {
    description:
      'Check offline: `auditkit verify-export <file> --manifest manifest.json --key console.pub` (SHA-256 and size of the file, Ed25519 signature over the canonical JSON of the other fields).',
  },
);

export const AlertReply = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('acknowledged'), Type.Literal('resolved')]),
  eventId: Type.String(),
});

/** Every shared schema, registered once on the plugin. */
export const SHARED_SCHEMAS: TSchema[] = [AuditEventSchema, ErrorReply];

export type IngestReplyT = Static<typeof IngestReply>;
export type IntegrityReplyT = Static<typeof IntegrityReply>;
