import { createApp } from './app';

// Zero-config auditing: JSON Lines under ./audit-logs, flushed on exit, SIGTERM and SIGINT.
const port = Number(process.env.PORT ?? 3002);
createApp().then(async (app) => {
  app.enableShutdownHooks();
  await app.listen(port);
  console.log(`example Nest app listening on ${await app.getUrl()}`);
});
