const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditPlugin } = require('@auditkit/fastify');

const logger = createAuditLogger({ service: 'bench', sinks: [fileSink({ path: process.env.LOG_FILE })] });
require('./fastify-app')({}, (app) => app.register(auditPlugin, { logger }));
