// AuditModule on a route that declares a business event (@AuditAction): the route gets the module's
// interceptor, so it pays for Nest's interceptor chain and records two events per request.
const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditFileOptions } = require('./audit-file');
const { AuditAction, AuditModule } = require('@auditkit/nestjs');
const start = require('./nest-app');

const { prototype } = start.OrdersController;
AuditAction({
  type: 'order.read',
  category: 'data',
  action: 'read',
  resource: { type: 'order', id: (request) => request.params?.id },
})(prototype, 'find', Object.getOwnPropertyDescriptor(prototype, 'find'));

const logger = createAuditLogger({ service: 'bench', sinks: [fileSink(auditFileOptions())] });
start([AuditModule.forRoot({ logger })]);
