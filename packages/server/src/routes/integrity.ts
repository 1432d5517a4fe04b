import type { ConsoleDeps } from '../deps';
import { AUTH_ERRORS, IntegrityQuery, IntegrityReply } from '../schemas';
import type { ConsoleApp } from './types';

/** GET /integrity: each chain verified (hashes, links, checkpoints, signatures) with its first break. */
export function integrityRoute(app: ConsoleApp, deps: ConsoleDeps): void {
  app.get(
    '/integrity',
    {
      config: { access: 'read' },
      schema: {
        tags: ['integrity'],
        summary: 'Verify every chain of the store (or one): events, last checkpoint, first break',
        querystring: IntegrityQuery,
        response: { 200: IntegrityReply, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const auth = request.consoleAuth!;
      const report = await deps.integrity.check(auth.view, request.query.chain);
      deps.audit.record('integrity', auth.caller, {
        outcome: report.ok ? 'success' : 'failure',
        details: {
          chains: report.chains.length,
          ok: report.ok,
          ...(request.query.chain ? { chain: request.query.chain } : {}),
        },
      });
      return report;
    },
  );
}
