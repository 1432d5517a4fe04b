require('./fastify-app')();
