const { createAuditLogger, fileSink } = require('@auditkit/core');
const { AuditModule } = require('@auditkit/nestjs');

const logger = createAuditLogger({ service: 'bench', sinks: [fileSink({ path: process.env.LOG_FILE })] });
require('./nest-app')([AuditModule.forRoot({ logger })]);
