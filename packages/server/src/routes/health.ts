import type { ConsoleDeps } from '../deps';
import { Health } from '../schemas';
import type { ConsoleApp } from './types';

/** GET /health: liveness for load balancers; no key, no details beyond the status. */
export function healthRoute(app: ConsoleApp, deps: ConsoleDeps): void {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['console'],
        summary: 'Liveness and the audit pipeline status',
        response: { 200: Health },
      },
    },
    async () => ({ status: deps.options.logger.health().status, reasons: [] }),
  );
}
