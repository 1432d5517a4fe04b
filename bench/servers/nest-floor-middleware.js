// Context without an interceptor: one AsyncLocalStorage context per request entered in a middleware
// ahead of Nest (nestjs-cls's middleware mode), so no route pays for Nest's interceptor chain.
require('reflect-metadata');
const { AsyncLocalStorage } = require('node:async_hooks');
const { Inject, Module } = require('@nestjs/common');
const { HttpAdapterHost } = require('@nestjs/core');

const als = new AsyncLocalStorage();
class ContextMiddleware {
  constructor(host) {
    host.httpAdapter.getInstance().use((_req, _res, next) => als.run({}, next));
  }
}
Inject(HttpAdapterHost)(ContextMiddleware, undefined, 0);
Module({})(ContextMiddleware);
require('./nest-app')([ContextMiddleware]);
