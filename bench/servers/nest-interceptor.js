// A global interceptor that does nothing at all (returns the handler's observable): what Nest's
// interceptor chain alone costs a route, with no context.
require('reflect-metadata');
const { Injectable, Module } = require('@nestjs/common');
const { APP_INTERCEPTOR } = require('@nestjs/core');

class PassThrough {
  intercept(_context, next) {
    return next.handle();
  }
}
Injectable()(PassThrough);
class InterceptorModule {}
Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: PassThrough }] })(InterceptorModule);
require('./nest-app')([InterceptorModule]);
