// The floor plus a fixed amount of pure JavaScript work per request (BURN_US, default 20 µs of
// spinning): how much server CPU a request costs over the floor for work that touches nothing but
// the CPU, i.e. what a slower server pays the loopback load generator on top of its own work.
const { AsyncLocalStorage } = require('node:async_hooks');

const BURN_NS = BigInt(Math.round(Number(process.env.BURN_US ?? 20) * 1000));
const als = new AsyncLocalStorage();
function burn() {
  const end = process.hrtime.bigint() + BURN_NS;
  while (process.hrtime.bigint() < end);
}
require('./fastify-app')({}, (app) => {
  app.addHook('onRequest', (request, _reply, next) => {
    burn();
    als.run({ request }, next);
  });
  app.addHook('onError', (_request, _reply, _error, next) => next());
  app.addHook('onResponse', (_request, _reply, next) => next());
  app.addHook('onTimeout', (_request, _reply, next) => next());
  app.addHook('onRequestAbort', (_request, next) => next());
});
