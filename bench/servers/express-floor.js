// The floor under auditMiddleware: what it does per request without building or writing an event —
// a context object on the request, a 'close' listener on the response, and the rest of the chain
// run inside one AsyncLocalStorage context.
const { AsyncLocalStorage } = require('node:async_hooks');
const createApp = require('./app');

const als = new AsyncLocalStorage();
const noop = () => {};
createApp.listen(
  createApp((req, res, next) => {
    const context = { request: req };
    req.audit = context;
    res.once('close', noop);
    als.run(context, next);
  }),
);
