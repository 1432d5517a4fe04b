import type { AuditEvent } from '@auditkit/core';
import type { FastifyValidationResult } from 'fastify/types/schema';
import type { ConsoleDeps } from '../deps';
import { Ingestor, ingestBodyValidator } from '../ingest';
import { AUTH_ERRORS, ErrorRef, IngestBody, IngestReply } from '../schemas';
import type { ConsoleApp } from './types';

/** POST /events: one event or a batch from a service that cannot run auditkit itself. */
export function ingestRoute(app: ConsoleApp, deps: ConsoleDeps): void {
  const validator = ingestBodyValidator(deps.options.maxBatch) as unknown as FastifyValidationResult;
  const pass = (() => true) as unknown as FastifyValidationResult;
  app.post(
    '/events',
    {
      config: { access: 'write' },
      bodyLimit: deps.options.bodyLimit,
      validatorCompiler: ({ httpPart }) => (httpPart === 'body' ? validator : pass),
      schema: {
        tags: ['events'],
        summary: 'Ingest one event or a batch; the id is the idempotency key',
        body: IngestBody,
        response: { 200: IngestReply, ...AUTH_ERRORS, 413: ErrorRef },
      },
    },
    async (request) => {
      const auth = request.consoleAuth!;
      const batch = Array.isArray(request.body);
      const events = (batch ? request.body : [request.body]) as AuditEvent[];
      Ingestor.checkTenants(events, auth.key, batch);
      const results = await deps.ingestor.ingest(events);
      const count = (status: string) => results.filter((r) => r.status === status).length;
      const reply = {
        accepted: count('accepted'),
        duplicates: count('duplicate'),
        notRecorded: count('not-recorded'),
        results,
      };
      deps.audit.record('ingest', auth.caller, {
        details: { accepted: reply.accepted, duplicates: reply.duplicates, notRecorded: reply.notRecorded },
      });
      return reply;
    },
  );
}
