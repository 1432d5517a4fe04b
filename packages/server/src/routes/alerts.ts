/**
 * POST /alerts/:id/acknowledge and /alerts/:id/resolve: a person's answer to an alert, recorded
 * as the `alert.acknowledged` / `alert.resolved` event the alert router itself writes, so the
 * trail holds who did what to each alert. Only alerts the key's tenant can see may be changed.
 */
import { type AuditEvent, type AuditInput, parseAuditFilter } from '@auditkit/core';
import { Type } from '@sinclair/typebox';
import type { ConsoleDeps } from '../deps';
import { ConsoleError } from '../errors';
import { AlertReply, AUTH_ERRORS, ErrorRef } from '../schemas';
import type { TenantView } from '../tenant-view';
import type { ConsoleApp } from './types';

const AlertParams = Type.Object({
  id: Type.String({
    pattern: '^[A-Za-z0-9._:-]{1,200}$',
    description: 'Alert id (the resource.id of its alert.* events).',
  }),
  action: Type.Union([Type.Literal('acknowledge'), Type.Literal('resolve')]),
});
const AlertBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

const STATUS = { acknowledge: 'acknowledged', resolve: 'resolved' } as const;

/** The alert's events the caller may see, newest first. */
async function alertEvents(view: TenantView, id: string): Promise<AuditEvent[]> {
  const filter = parseAuditFilter(`type:alert.* resource.type:alert resource.id:${JSON.stringify(id)}`);
  return (await view.query({ filter, limit: 100, order: 'desc' })).events;
}

export function alertsRoute(app: ConsoleApp, deps: ConsoleDeps): void {
  app.post(
    '/alerts/:id/:action',
    {
      config: { access: 'write' },
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge or resolve an alert; the change is recorded as an alert.* event',
        params: AlertParams,
        body: Type.Optional(AlertBody),
        response: { 200: AlertReply, ...AUTH_ERRORS, 404: ErrorRef, 409: ErrorRef },
      },
    },
    async (request) => {
      const auth = request.consoleAuth!;
      const { id, action } = request.params;
      const events = await alertEvents(auth.view, id);
      const opened = events.find((e) => e.type === 'alert.opened') ?? events.at(-1);
      if (!opened) throw new ConsoleError(404, `no alert ${id}`);
      const status = STATUS[action];
      const current = events[0]!.type;
      if (current === 'alert.resolved' || (current === 'alert.acknowledged' && status === 'acknowledged'))
        throw new ConsoleError(409, `alert ${id} is already ${current.slice('alert.'.length)}`);
      const by = `apikey:${auth.key.id}`;
      const note = request.body?.note;
      const input: AuditInput = {
        type: `alert.${status}`,
        category: 'security',
        action: status,
        outcome: 'success',
        severity: 'info',
        message: `alert ${status} by ${by}: ${String(opened.message ?? id).replace(/^alert opened: /, '')}`,
        actor: { type: 'user', id: by, ip: auth.caller.ip },
        resource: { type: 'alert', id },
        details: { ...(opened.details ?? {}), status, ...(note ? { note } : {}) },
      };
      if (opened.tenant !== undefined) input.tenant = opened.tenant;
      if (opened.correlationId) input.correlationId = opened.correlationId;
      const eventId = deps.options.logger.log(input);
      if (!eventId) throw new ConsoleError(503, 'the change could not be recorded; try again');
      await deps.options.logger.flush();
      return { id, status, eventId };
    },
  );
}
