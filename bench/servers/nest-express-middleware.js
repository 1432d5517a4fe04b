// The Express adapter's auditMiddleware mounted ahead of Nest, on the same app and logger setup as
// nest-auditkit.js: both run the same core capture, so the difference between the two is what the
// Nest adapter itself adds to a request (its translation, its module, its exception filter).
require('reflect-metadata');
const { createAuditLogger, fileSink } = require('@auditkit/core');
const { auditFileOptions } = require('./audit-file');
const { auditMiddleware } = require('@auditkit/express');
const { Inject, Module } = require('@nestjs/common');
const { HttpAdapterHost } = require('@nestjs/core');

const logger = createAuditLogger({ service: 'bench', sinks: [fileSink(auditFileOptions())] });
class ExpressCapture {
  constructor(host) {
    host.httpAdapter.getInstance().use(auditMiddleware({ logger }));
  }
}
Inject(HttpAdapterHost)(ExpressCapture, undefined, 0);
Module({})(ExpressCapture);
require('./nest-app')([ExpressCapture]);
