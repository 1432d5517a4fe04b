import { proveStoredEvent } from '@auditkit/core';
import type { ConsoleDeps } from '../deps';
import { ConsoleError } from '../errors';
import { AUTH_ERRORS, ErrorRef, IdParams, ProofReply } from '../schemas';
import type { ConsoleApp } from './types';

/** GET /proof/:id: an inclusion proof, checkable offline with `auditkit verify-proof`. */
export function proofRoute(app: ConsoleApp, deps: ConsoleDeps): void {
  app.get(
    '/proof/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['integrity'],
        summary: 'Inclusion proof of one event against the first signed checkpoint after it',
        params: IdParams,
        response: { 200: ProofReply, ...AUTH_ERRORS, 404: ErrorRef, 409: ErrorRef },
      },
    },
    async (request, reply) => {
      const auth = request.consoleAuth!;
      const id = request.params.id.toLowerCase();
      const event = await auth.view.get(id);
      deps.audit.record('proof', auth.caller, {
        outcome: event ? 'success' : 'failure',
        details: { eventId: id },
      });
      if (!event) throw new ConsoleError(404, `no event ${id}`);
      if (!event.integrity) throw new ConsoleError(409, `event ${id} is not sealed, so it cannot be proven`);
      let proof: Awaited<ReturnType<typeof proveStoredEvent>>;
      try {
        proof = await proveStoredEvent(auth.view.store, id);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/not covered by a signed checkpoint|not intact/.test(message))
          throw new ConsoleError(409, message);
        throw error;
      }
      reply.header('content-disposition', `attachment; filename="proof-${id}.json"`);
      return proof;
    },
  );
}
