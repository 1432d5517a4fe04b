export { auditErrorHandler, auditMiddleware, type ExpressAuditOptions } from './middleware';
