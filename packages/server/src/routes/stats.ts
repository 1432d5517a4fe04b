import type { ConsoleDeps } from '../deps';
import { AUTH_ERRORS, StatsQuery, StatsReply } from '../schemas';
import { parseFilterParam, storeCall } from '../selection';
import type { ConsoleApp } from './types';

/** GET /stats: counts by type, outcome, category and actor over time buckets, and the pipeline's state. */
export function statsRoute(app: ConsoleApp, deps: ConsoleDeps): void {
  app.get(
    '/stats',
    {
      config: { access: 'read' },
      schema: {
        tags: ['events'],
        summary: 'Counts over the events a filter selects, by time bucket; store and pipeline health',
        querystring: StatsQuery,
        response: { 200: StatsReply, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const auth = request.consoleAuth!;
      const filter = parseFilterParam(request.query.q);
      const stats = await storeCall(() =>
        auth.view.stats({ filter, bucket: request.query.bucket ?? 'hour' }),
      );
      const health = deps.options.logger.health();
      deps.audit.record('stats', auth.caller, { details: { filter: request.query.q ?? '' } });
      return {
        ...stats,
        store: { name: deps.options.store.name },
        // Sink errors are the operator's business, not a tenant's.
        pipeline: { status: health.status, reasons: auth.view.tenant === undefined ? health.reasons : [] },
      };
    },
  );
}
