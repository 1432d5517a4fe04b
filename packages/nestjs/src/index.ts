export { AUDIT_OPTIONS, AuditInterceptor, type NestAuditOptions } from './interceptor';
export {
  AuditAction,
  type AuditActionOptions,
  AuditDataChange,
  type AuditDataChangeOptions,
  type AuditedRequest,
  NoAudit,
  type ProviderLookup,
} from './metadata';
export { AuditModule, type AuditModuleAsyncOptions, AuditService } from './module';
