export { auditClientInterceptor, type ClientInterceptorOptions } from './client';
export { auditServerInterceptor, type GrpcAuditOptions, type GrpcCallInfo } from './server';
