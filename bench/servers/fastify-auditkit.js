const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditFileOptions } = require('./audit-file');
const { auditPlugin } = require('@auditkit/fastify');

const logger = createAuditLogger({ service: 'bench', sinks: [fileSink(auditFileOptions())] });
require('./fastify-app')({}, (app) => app.register(auditPlugin, { logger }));
