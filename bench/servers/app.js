// The route every variant serves, so the only difference between them is the middleware.
const express = require('express');

module.exports = function createApp(middleware) {
  const app = express();
  if (middleware) app.use(middleware);
  app.get('/orders/:id', (req, res) => {
    res.json({ id: req.params.id, item: 'laptop', quantity: 2, status: 'open' });
  });
  return app;
};

module.exports.listen = function listen(app) {
  const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  return server;
};
