export { AuditErrorFilter } from './error-filter';
export { AuditInterceptor } from './interceptor';
export {
  AuditAction,
  type AuditActionOptions,
  AuditDataChange,
  type AuditDataChangeOptions,
  type AuditedRequest,
  type NestAuditOptions,
  NoAudit,
  type ProviderLookup,
} from './metadata';
export { AuditModule, type AuditModuleAsyncOptions } from './module';
export { AuditService } from './service';
export { AUDIT_OPTIONS } from './symbols';
