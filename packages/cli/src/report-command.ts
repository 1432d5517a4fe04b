/**
 * `auditkit report gdpr` and `auditkit report period`: compliance reports over any store, as
 * JSON, HTML or PDF, decrypted where the given keys allow. Generating one is recorded in the
 * store as a `report.generated` event.
 */
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { type AuditStore, createAuditLogger } from '@auditkit/core';
import { openStore } from '@auditkit/open-store';
import {
  buildGdprReport,
  buildPeriodReport,
  type ComplianceReport,
  REPORT_CONTROLS,
  type ReportControl,
  renderReportHtml,
  renderReportPdf,
} from '@auditkit/server';
import type { Command } from 'commander';
import { type CliIO, EXIT } from './io';
import { decryptKeysFromFiles } from './key-files';

interface ReportOptions {
  store: string;
  tenant?: string;
  format: string;
  out?: string;
  key?: string[];
  perSection?: string;
}

interface GdprOptions extends ReportOptions {
  subject: string;
  keyring?: string;
  subjectKeys?: string;
}

interface PeriodOptions extends ReportOptions {
  from: string;
  to: string;
  controls?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function who(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function controlsOf(text: string | undefined): ReportControl[] {
  if (text === undefined) return [...REPORT_CONTROLS];
  const list = text.split(',').map((c) => c.trim().toLowerCase());
  for (const c of list)
    if (!REPORT_CONTROLS.includes(c as ReportControl))
      throw new RangeError(`--controls takes ${REPORT_CONTROLS.join(', ')} (comma-separated), got "${c}"`);
  return list as ReportControl[];
}

async function generate(
  options: ReportOptions,
  io: CliIO,
  details: Record<string, unknown>,
  build: (source: { store: AuditStore; tenant?: string; publicKeys: string[] }) => Promise<ComplianceReport>,
): Promise<number> {
  const format = options.format;
  if (!['json', 'html', 'pdf'].includes(format))
    throw new RangeError(`--format must be json, html or pdf, got "${format}"`);
  if (format === 'pdf' && !options.out) throw new RangeError('--format pdf needs --out <file>');
  const opened = await openStore(options.store, { file: 'auditkit-cli.jsonl' });
  const logger = createAuditLogger({ service: 'auditkit-cli', flushOnExit: false, sinks: [opened.store] });
  try {
    const report = await build({
      store: opened.store,
      ...(options.tenant ? { tenant: options.tenant } : {}),
      publicKeys: options.key ?? [],
    });
    const body =
      format === 'pdf'
        ? await renderReportPdf(report)
        : format === 'html'
          ? renderReportHtml(report)
          : `${JSON.stringify(report, null, 2)}\n`;
    if (options.out) await writeFile(options.out, body);
    else io.out(body as string);
    logger.log({
      type: 'report.generated',
      category: 'compliance',
      action: 'export',
      severity: 'notice',
      actor: { type: 'user', id: report.generatedBy },
      resource: { type: 'report', id: report.kind },
      ...(options.tenant ? { tenant: options.tenant } : {}),
      details: { ...details, format, listed: report.sections.reduce((n, s) => n + s.events.length, 0) },
    });
    const proven = Object.keys(report.integrity.proofs).length;
    io.err(
      `${report.title}: ${report.sections.map((s) => `${s.title} ${s.total}`).join('; ')}. Trail ${report.integrity.ok ? 'intact' : 'BROKEN'}; ${proven} events proven, ${report.integrity.unproven.length} not yet covered.${options.out ? ` Written to ${options.out}.` : ''}\n`,
    );
    return report.integrity.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await logger.close();
    await opened.close();
  }
}

export function gdprReportCommand(options: GdprOptions, io: CliIO): Promise<number> {
  const keys = decryptKeysFromFiles(options.keyring, options.subjectKeys)?.();
  return generate(options, io, { kind: 'gdpr', subject: options.subject }, (source) =>
    buildGdprReport(source, {
      subject: options.subject,
      generatedBy: who(),
      keys,
      ...(options.perSection ? { perSection: Number(options.perSection) } : {}),
    }),
  );
}

export function periodReportCommand(options: PeriodOptions, io: CliIO): Promise<number> {
  const controls = controlsOf(options.controls);
  return generate(options, io, { kind: 'period', from: options.from, to: options.to, controls }, (source) =>
    buildPeriodReport(source, {
      from: options.from,
      to: options.to,
      controls,
      generatedBy: who(),
      ...(options.perSection ? { perSection: Number(options.perSection) } : {}),
    }),
  );
}

/** Adds `report gdpr` and `report period` to the program; `setCode` receives each run's exit code. */
export function registerReportCommands(program: Command, io: CliIO, setCode: (code: number) => void): void {
  const report = program
    .command('report')
    .description(
      'compliance reports (JSON, HTML, PDF) with an integrity appendix; generating one is recorded',
    );
  const common = (c: Command) =>
    c
      .requiredOption(
        '--store <dir|url>',
        'the store: a directory of audit files, postgres://… or mongodb://…',
      )
      .option('--tenant <id>', 'only this tenant')
      .option('--format <json|html|pdf>', 'output format', 'json')
      .option('-o, --out <file>', 'write the report here (required for pdf)')
      .option('-k, --key <pem>', 'public key (PEM file) checkpoints are signed with; repeatable', collect)
      .option('--per-section <n>', 'most events listed and proven per section', '1000');
  common(
    report
      .command('gdpr')
      .description(
        'data-subject access report: everything recorded about one person, as actor and as subject',
      )
      .requiredOption('--subject <id>', 'the person (actor id and resource id)')
      .option('--keyring <file>', 'keyring JSON to decrypt protected fields with')
      .option('--subject-keys <file>', 'subject keys JSON (personal fields); erased subjects are marked'),
  ).action(async (options: GdprOptions) => setCode(await gdprReportCommand(options, io)));
  common(
    report
      .command('period')
      .description('period review for SOX / HIPAA / PCI-style controls')
      .requiredOption('--from <time>', 'start of the period (ISO date or time), inclusive')
      .requiredOption('--to <time>', 'end of the period (ISO date or time), exclusive')
      .option('--controls <list>', 'sox, hipaa, pci (comma-separated)', 'sox,hipaa,pci'),
  ).action(async (options: PeriodOptions) => setCode(await periodReportCommand(options, io)));
}
