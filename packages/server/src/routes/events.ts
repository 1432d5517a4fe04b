import type { ConsoleDeps } from '../deps';
import { ConsoleError } from '../errors';
import { pageJson } from '../page-json';
import { AUTH_ERRORS, ErrorRef, EventQuery, EventReply, EventsPage, EventsQuery, IdParams } from '../schemas';
import { parseFilterParam, storeCall } from '../selection';
import type { ConsoleApp } from './types';

const JSON_TYPE = 'application/json; charset=utf-8';

/** GET /events (search with cursors) and GET /events/:id (with the events around it). */
export function eventsRoutes(app: ConsoleApp, deps: ConsoleDeps): void {
  app.get(
    '/events',
    {
      config: { access: 'read' },
      schema: {
        tags: ['events'],
        summary: 'Search the whole store with the filter language; (time, id) cursors, no row ceiling',
        querystring: EventsQuery,
        response: { 200: EventsPage, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const auth = request.consoleAuth!;
      const { q, limit, cursor, order } = request.query;
      const filter = parseFilterParam(q);
      const page = await storeCall(() =>
        auth.view.queryLines({
          filter,
          limit: limit ?? 100,
          ...(cursor ? { cursor } : {}),
          order: order ?? 'desc',
        }),
      );
      deps.audit.record('search', auth.caller, {
        details: { filter: q ?? '', returned: page.lines.length, ...(cursor ? { paged: true } : {}) },
      });
      // Written as the store holds the events: no parse and re-serialization of every page.
      return reply.type(JSON_TYPE).send(pageJson(page));
    },
  );

  app.get(
    '/events/:id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['events'],
        summary: 'One event, and optionally the events around it by actor, resource or correlation id',
        params: IdParams,
        querystring: EventQuery,
        response: { 200: EventReply, ...AUTH_ERRORS, 404: ErrorRef },
      },
    },
    async (request) => {
      const auth = request.consoleAuth!;
      const id = request.params.id.toLowerCase();
      const { around: by, before, after } = request.query;
      let reply: { event: unknown; around?: unknown } | undefined;
      if (by) {
        const found = await storeCall(() =>
          auth.view.around(id, { by, before: before ?? 10, after: after ?? 10 }),
        );
        if (found) reply = { event: found.event, around: { by, before: found.before, after: found.after } };
      } else {
        const event = await auth.view.get(id);
        if (event) reply = { event };
      }
      deps.audit.record('event.read', auth.caller, {
        outcome: reply ? 'success' : 'failure',
        details: { eventId: id, ...(by ? { around: by } : {}) },
      });
      if (!reply) throw new ConsoleError(404, `no event ${id}`);
      return reply as never;
    },
  );
}
