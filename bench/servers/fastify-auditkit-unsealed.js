// auditPlugin with sealing off: what the hash chain and checkpoints cost, by difference.
const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditPlugin } = require('@auditkit/fastify');

const logger = createAuditLogger({
  service: 'bench',
  integrity: false,
  sinks: [fileSink({ path: process.env.LOG_FILE })],
});
require('./fastify-app')({}, (app) => app.register(auditPlugin, { logger }));
