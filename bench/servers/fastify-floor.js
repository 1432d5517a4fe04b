// The floor under any audit plugin: the five lifecycle hooks auditPlugin registers, doing nothing
// but carrying a context in AsyncLocalStorage. No event is built or written.
const { AsyncLocalStorage } = require('node:async_hooks');

const als = new AsyncLocalStorage();
require('./fastify-app')({}, (app) => {
  app.addHook('onRequest', (request, _reply, next) => als.run({ request }, next));
  app.addHook('onError', (_request, _reply, _error, next) => next());
  app.addHook('onResponse', (_request, _reply, next) => next());
  app.addHook('onTimeout', (_request, _reply, next) => next());
  app.addHook('onRequestAbort', (_request, next) => next());
});
