export { auditPlugin, type FastifyAuditOptions, type RouteAuditConfig } from './plugin';
