const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditMiddleware } = require('@auditkit/express');
const createApp = require('./app');

const logger = createAuditLogger({ service: 'bench', sinks: [fileSink({ path: process.env.LOG_FILE })] });
createApp.listen(createApp(auditMiddleware({ logger })));
