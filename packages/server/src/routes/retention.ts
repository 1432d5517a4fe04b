import { oldestEvent } from '@auditkit/core';
import type { ConsoleDeps } from '../deps';
import { AUTH_ERRORS, RetentionReply } from '../schemas';
import { storeCall } from '../selection';
import type { ConsoleApp } from './types';

/** GET /retention: what the store keeps and for how long, and the oldest event the key can see. */
export function retentionRoute(app: ConsoleApp, deps: ConsoleDeps): void {
  app.get(
    '/retention',
    {
      config: { access: 'read' },
      schema: {
        tags: ['events'],
        summary: "The store's retention policy and the oldest event held",
        response: { 200: RetentionReply, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const auth = request.consoleAuth!;
      const store = deps.options.store;
      const tenant = auth.view.tenant;
      deps.audit.record('retention', auth.caller);
      const info = await storeCall(async () =>
        store.retention
          ? store.retention(tenant === undefined ? {} : { tenant })
          : {
              enforcement: 'the store does not describe its retention',
              oldest: await oldestEvent(store, tenant),
            },
      );
      return { store: { name: store.name }, described: store.retention !== undefined, ...info };
    },
  );
}
