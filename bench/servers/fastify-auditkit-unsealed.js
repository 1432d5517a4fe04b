// auditPlugin with sealing off: what the hash chain and checkpoints cost, by difference.
const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditFileOptions } = require('./audit-file');
const { auditPlugin } = require('@auditkit/fastify');

const logger = createAuditLogger({
  service: 'bench',
  integrity: false,
  sinks: [fileSink(auditFileOptions())],
});
require('./fastify-app')({}, (app) => app.register(auditPlugin, { logger }));
