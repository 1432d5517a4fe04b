const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditFileOptions } = require('./audit-file');
const { auditMiddleware } = require('@auditkit/express');
const createApp = require('./app');

const logger = createAuditLogger({ service: 'bench', sinks: [fileSink(auditFileOptions())] });
createApp.listen(createApp(auditMiddleware({ logger })));
