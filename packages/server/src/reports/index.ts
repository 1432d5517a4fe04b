export {
  buildGdprReport,
  buildPeriodReport,
  type GdprReportOptions,
  type PeriodReportOptions,
  REPORT_CONTROLS,
  type ReportSource,
} from './build';
export { renderReportHtml } from './html';
export { renderReportPdf } from './pdf';
export type * from './types';
