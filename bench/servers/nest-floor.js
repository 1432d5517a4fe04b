// The floor under any Nest audit interceptor: a global interceptor doing no audit work, only running
// the handler's observable inside one AsyncLocalStorage context (what `audit.log()` inherits).
require('reflect-metadata');
const { AsyncLocalStorage } = require('node:async_hooks');
const { Injectable, Module } = require('@nestjs/common');
const { APP_INTERCEPTOR } = require('@nestjs/core');
const { Observable } = require('rxjs');

const als = new AsyncLocalStorage();
class ContextOnly {
  intercept(_context, next) {
    return new Observable((subscriber) => als.run({}, () => next.handle().subscribe(subscriber)));
  }
}
Injectable()(ContextOnly);
class FloorModule {}
Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: ContextOnly }] })(FloorModule);
require('./nest-app')([FloorModule]);
