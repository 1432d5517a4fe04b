// AuditModule's floor: what its HTTP capture does per request without building or writing an event,
// as express-floor.js does for auditMiddleware — a context object on the request, a 'close' listener
// on the response, and the rest of the request (all of Nest) run inside one AsyncLocalStorage context.
require('reflect-metadata');
const { AsyncLocalStorage } = require('node:async_hooks');
const { Inject, Module } = require('@nestjs/common');
const { HttpAdapterHost } = require('@nestjs/core');

const als = new AsyncLocalStorage();
const noop = () => {};
class CaptureFloor {
  constructor(host) {
    host.httpAdapter.getInstance().use((req, res, next) => {
      const context = { request: req };
      req.audit = context;
      res.once('close', noop);
      als.run(context, next);
    });
  }
}
Inject(HttpAdapterHost)(CaptureFloor, undefined, 0);
Module({})(CaptureFloor);
require('./nest-app')([CaptureFloor]);
