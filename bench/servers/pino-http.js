const pino = require('pino');
const pinoHttp = require('pino-http');
const createApp = require('./app');

// Asynchronous file destination, as auditkit's file sink is.
const logger = pino(pino.destination({ dest: process.env.LOG_FILE, sync: false, mkdir: true }));
createApp.listen(createApp(pinoHttp({ logger })));
