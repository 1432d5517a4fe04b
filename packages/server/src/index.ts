export {
  API_KEY_SCOPES,
  type ApiKeyRecord,
  checkKeySpec,
  createApiKey,
  readKeysFile,
  revokeApiKey,
} from './api-keys';
export type { ExportFormat } from './export/formats';
export { type ExportManifest, type ManifestCheck, verifyExportManifest } from './export/manifest';
export { SERVER_DEFAULTS } from './options';
export {
  buildGdprReport,
  buildPeriodReport,
  type ComplianceReport,
  type GdprReportOptions,
  type PeriodReportOptions,
  REPORT_CONTROLS,
  type ReportControl,
  type ReportSource,
  renderReportHtml,
  renderReportPdf,
} from './reports';
export { createAuditServer } from './server';
export type * from './types';
