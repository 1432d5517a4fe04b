/**
 * GET /reports/gdpr and GET /reports/period: compliance reports as JSON, printable HTML or PDF,
 * inside the key's tenant wall. Generating one is itself recorded (`console.report`).
 */
import { Type } from '@sinclair/typebox';
import type { ConsoleDeps } from '../deps';
import { ConsoleError } from '../errors';
import {
  buildGdprReport,
  buildPeriodReport,
  type ComplianceReport,
  REPORT_CONTROLS,
  type ReportControl,
  renderReportHtml,
  renderReportPdf,
} from '../reports';
import { AUTH_ERRORS, ErrorRef } from '../schemas';
import type { ConsoleApp } from './types';

const Format = Type.Optional(
  Type.Union([Type.Literal('json'), Type.Literal('html'), Type.Literal('pdf')], { default: 'json' }),
);
const GdprQuery = Type.Object({
  subject: Type.String({
    minLength: 1,
    maxLength: 300,
    description: 'The person: actor id and resource id.',
  }),
  format: Format,
});
const PeriodQuery = Type.Object({
  from: Type.String({ minLength: 4, maxLength: 40, description: 'Start (ISO date or time), inclusive.' }),
  to: Type.String({ minLength: 4, maxLength: 40, description: 'End (ISO date or time), exclusive.' }),
  controls: Type.Optional(
    Type.String({ pattern: '^(sox|hipaa|pci)(,(sox|hipaa|pci))*$', description: 'e.g. sox,pci' }),
  ),
  format: Format,
});
const ReportBody = Type.Unknown({ description: 'The report: JSON (with proofs), HTML or PDF.' });

export function reportsRoute(app: ConsoleApp, deps: ConsoleDeps): void {
  const send = async (
    reply: { header(k: string, v: string): unknown; type(t: string): unknown },
    report: ComplianceReport,
    format: 'json' | 'html' | 'pdf',
  ) => {
    const name = `${report.kind}-report-${report.generatedAt.slice(0, 10)}`;
    reply.header('cache-control', 'no-store');
    if (format === 'html') {
      reply.type('text/html; charset=utf-8');
      return renderReportHtml(report);
    }
    if (format === 'pdf') {
      reply.type('application/pdf');
      reply.header('content-disposition', `attachment; filename="${name}.pdf"`);
      return renderReportPdf(report);
    }
    reply.type('application/json');
    return JSON.stringify(report);
  };
  const source = (tenant: string | undefined) => ({
    store: deps.options.store,
    ...(tenant ? { tenant } : {}),
    publicKeys: deps.options.publicKeys,
  });
  // Read for each report: a subject key erased since the last one must not be used.
  const loadKeys = () => {
    try {
      return deps.options.decryptKeys();
    } catch (error) {
      throw new ConsoleError(
        503,
        `the keys to decrypt the report with could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  const failed = (error: unknown): never => {
    if (error instanceof TypeError || error instanceof RangeError) throw new ConsoleError(400, error.message);
    throw error;
  };

  app.get(
    '/reports/gdpr',
    {
      config: { access: 'export' },
      schema: {
        tags: ['reports'],
        summary: 'Data-subject access report: everything recorded about one person, with proofs',
        querystring: GdprQuery,
        response: { 200: ReportBody, ...AUTH_ERRORS, 503: ErrorRef },
      },
    },
    async (request, reply) => {
      const auth = request.consoleAuth!;
      const { subject, format = 'json' } = request.query;
      const keys = loadKeys();
      const report = await buildGdprReport(source(auth.view.tenant), {
        subject,
        generatedBy: `apikey:${auth.key.id}`,
        ...(keys ? { keys } : {}),
      }).catch(failed);
      deps.audit.record('report', auth.caller, {
        details: { kind: 'gdpr', subject, format, decrypted: keys !== undefined },
      });
      return send(reply, report, format);
    },
  );

  app.get(
    '/reports/period',
    {
      config: { access: 'export' },
      schema: {
        tags: ['reports'],
        summary: 'Period review for SOX / HIPAA / PCI-style controls, with the integrity appendix',
        querystring: PeriodQuery,
        response: { 200: ReportBody, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const auth = request.consoleAuth!;
      const { from, to, format = 'json' } = request.query;
      const controls = (request.query.controls?.split(',') ?? [...REPORT_CONTROLS]) as ReportControl[];
      const report = await buildPeriodReport(source(auth.view.tenant), {
        from,
        to,
        controls,
        generatedBy: `apikey:${auth.key.id}`,
      }).catch(failed);
      deps.audit.record('report', auth.caller, { details: { kind: 'period', from, to, controls, format } });
      return send(reply, report, format);
    },
  );
}
