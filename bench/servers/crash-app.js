// The crash-window server: the bench route behind one audit variant, killed with SIGKILL by
// bench/crash-window.js. VARIANT: default | durable | hold (durable, responses held) | pino-http.
// RECOVER=1 opens the same logger again, lets it replay its spool into the file and exits.
// AUDITKIT_CORE=<path to another build's core> runs that build (for before/after figures).
if (process.env.AUDITKIT_CORE) {
  const Module = require('node:module');
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolve.call(this, request === '@auditkit/core' ? process.env.AUDITKIT_CORE : request, ...rest);
  };
}
const createApp = require('./app');

const variant = process.env.VARIANT;

function auditLogger() {
  const { createAuditLogger, fileSink } = require('@auditkit/core');
  const durable = variant === 'durable' || variant === 'hold';
  return createAuditLogger({
    service: 'crash',
    instance: 'crash-1',
    flushOnExit: false,
    sinks: [fileSink({ path: process.env.LOG_FILE })],
    ...(durable ? { durable: true, spool: { dir: process.env.SPOOL_DIR } } : {}),
  });
}

async function recover() {
  const logger = auditLogger();
  const deadline = Date.now() + 30_000;
  // Durable: the spool replays into the file; done once it holds no record.
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const spool = logger.stats().sinks[0].spool;
    if (!spool || spool.records === 0) break;
  }
  await logger.close();
  process.exit(0);
}

function serve() {
  let middleware;
  if (variant === 'pino-http') {
    const pino = require('pino');
    const pinoHttp = require('pino-http');
    // As bench/servers/pino-http.js: an asynchronous file destination.
    const logger = pino(pino.destination({ dest: process.env.LOG_FILE, sync: false, mkdir: true }));
    middleware = pinoHttp({ logger, genReqId: (req) => req.headers['x-request-id'] });
  } else {
    const { auditMiddleware } = require('@auditkit/express');
    middleware = auditMiddleware({
      logger: auditLogger(),
      ...(variant === 'hold' ? { holdResponse: true } : {}),
    });
  }
  const server = createApp(middleware).listen(0, '127.0.0.1', () =>
    process.send({ port: server.address().port }),
  );
}

if (process.env.RECOVER === '1') recover();
else serve();
