import type { ConsoleDeps } from '../deps';
import { ConsoleError } from '../errors';
import { AUTH_ERRORS, ErrorRef, ExportBody, ExportQuery, ManifestParams, ManifestReply } from '../schemas';
import { parseFilterParam } from '../selection';
import type { ConsoleApp } from './types';

/** GET /export (streamed CSV, JSON or NDJSON) and GET /export/:exportId/manifest (signed). */
export function exportRoutes(app: ConsoleApp, deps: ConsoleDeps): void {
  app.get(
    '/export',
    {
      config: { access: 'export' },
      schema: {
        tags: ['export'],
        summary: 'Stream every event a filter selects; a signed manifest proves it complete and unchanged',
        querystring: ExportQuery,
        response: { 200: ExportBody, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const auth = request.consoleAuth!;
      const { format = 'ndjson', q, order = 'asc' } = request.query;
      const run = await deps.exporter.start({
        view: auth.view,
        key: auth.key,
        caller: auth.caller,
        format,
        filterText: q ?? '',
        filter: parseFilterParam(q),
        order,
      });
      // Mounted in Express, the URL the client used is `originalUrl`; Express strips its mount path.
      const url = (request.raw as { originalUrl?: string }).originalUrl ?? request.url;
      const prefix = url.slice(0, url.indexOf('/export'));
      return reply
        .header('content-type', run.contentType)
        .header('content-disposition', `attachment; filename="${run.filename}"`)
        .header('x-auditkit-export-id', run.exportId)
        .header('x-auditkit-manifest', `${prefix}/export/${run.exportId}/manifest`)
        .header('cache-control', 'no-store')
        .send(run.body);
    },
  );

  app.get(
    '/export/:exportId/manifest',
    {
      config: { access: 'export' },
      schema: {
        tags: ['export'],
        summary: 'The signed manifest of a recent export (also recorded in the trail)',
        params: ManifestParams,
        response: { 200: ManifestReply, ...AUTH_ERRORS, 404: ErrorRef },
      },
    },
    async (request) => {
      const manifest = deps.exporter.manifest(request.params.exportId, request.consoleAuth!.view);
      if (!manifest) throw new ConsoleError(404, `no recent export ${request.params.exportId}`);
      return manifest;
    },
  );
}
