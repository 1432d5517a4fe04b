// fastify-auditkit with the file sink's rotated files left uncompressed: what gzipping a rotated
// 100 MiB file (on libuv's threads, inside a run that rotates) adds to the server's CPU per request.
const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditFileOptions } = require('./audit-file');
const { auditPlugin } = require('@auditkit/fastify');

const logger = createAuditLogger({
  service: 'bench',
  sinks: [fileSink(auditFileOptions({ gzip: false }))],
});
require('./fastify-app')({}, (app) => app.register(auditPlugin, { logger }));
