#!/usr/bin/env node
import { run } from './index';
import { errorMessage } from './io';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`auditkit: ${errorMessage(error)}\n`);
    process.exitCode = 2;
  },
);
