const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditFileOptions } = require('./audit-file');
const { AuditModule } = require('@auditkit/nestjs');

const logger = createAuditLogger({ service: 'bench', sinks: [fileSink(auditFileOptions())] });
require('./nest-app')([AuditModule.forRoot({ logger })]);
