// The route every Fastify variant serves, so the only difference between them is the plugin or logger.
const Fastify = require('fastify');

module.exports = async function start(options = {}, register) {
  const app = Fastify(options);
  if (register) await register(app);
  app.get('/orders/:id', async (request) => ({
    id: request.params.id,
    item: 'laptop',
    quantity: 2,
    status: 'open',
  }));
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.send?.('ready');
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
};
