/** Where the HTTP capture leaves a request's audit for the interceptor (Express `req`, Fastify `request`). */
export const REQUEST_AUDIT = Symbol.for('auditkit.nestjs.request-audit');
