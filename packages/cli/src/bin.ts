#!/usr/bin/env node
import { run } from './index';
import { errorMessage } from './io';

// The reader went away (`auditkit verify --help | head`): stop quietly, as other command-line
// tools do. Without a listener, the failed write is an unhandled 'error' event and a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') process.stderr.write(`auditkit: stdout: ${errorMessage(error)}\n`);
  process.exit(error.code === 'EPIPE' ? (process.exitCode ?? 0) : 2);
});

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`auditkit: ${errorMessage(error)}\n`);
    process.exitCode = 2;
  },
);
