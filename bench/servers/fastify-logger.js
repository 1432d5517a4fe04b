// Fastify's built-in pino logger, writing every request to a file asynchronously.
require('./fastify-app')({ logger: { level: 'info', file: process.env.LOG_FILE } });
