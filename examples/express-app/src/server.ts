import { createApp } from './app';

// Zero-config auditing: JSON Lines under ./audit-logs, flushed on exit, SIGTERM and SIGINT.
const port = Number(process.env.PORT ?? 3000);
createApp().listen(port, () => {
  console.log(`example app listening on http://localhost:${port}`);
});
