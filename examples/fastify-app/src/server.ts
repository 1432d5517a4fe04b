import { createApp } from './app';

// Zero-config auditing: JSON Lines under ./audit-logs, flushed on exit, SIGTERM and SIGINT.
const port = Number(process.env.PORT ?? 3001);
createApp().then((app) =>
  app.listen({ port }).then((address) => console.log(`example Fastify app listening on ${address}`)),
);
