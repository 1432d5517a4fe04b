export { cursorScope } from './cursor';
export { AuditFilterError, describeValue } from './errors';
export { EXPORT_COLUMNS, exportRow } from './export-row';
export { FILTER_FIELDS } from './fields';
export { type AuditFilterPin, type AuditPinKey, filterPin, pinValueOf, tenantPin } from './filter-pins';
export { formatAuditFilter } from './format-filter';
export { DEFAULT_PAGE_SIZE, FILTER_LIMITS, MAX_PAGE_SIZE } from './limits';
export { type AuditEventPredicate, compileAuditFilter, matchesAuditFilter } from './match-filter';
export { type ParseFilterOptions, parseAuditFilter } from './parse-filter';
export {
  checkEventId,
  compareEvents,
  compileAuditSelection,
  cursorAfter,
  isAfter,
  linesPageOf,
  pageOf,
  type ResolvedQuery,
  type ResolvedSelection,
  type ResolvedStatsQuery,
  resolveAuditQuery,
  resolveAuditSelection,
  resolveStatsQuery,
} from './resolve-query';
export { type StatsGroup, type StatsTally, statsTally } from './stats-tally';
export { checkPageSize, eventsAround, iterateByPages, queryLines, storedIds } from './store-methods';
export { validateAuditFilter } from './validate-filter';
export {
  containsLikePattern,
  literalRegexSource,
  wildcardLikePattern,
  wildcardRegexSource,
} from './wildcard';
