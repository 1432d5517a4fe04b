/** Where the HTTP capture leaves a request's audit for the interceptor (Express `req`, Fastify `request`). */
export const REQUEST_AUDIT = Symbol.for('auditkit.nestjs.request-audit');
export const AUDIT_OPTIONS = Symbol('auditkit:options');
export const AUDIT_ACTION = 'auditkit:action';
export const AUDIT_DATA_CHANGE = 'auditkit:data-change';
export const NO_AUDIT = 'auditkit:no-audit';
