// Preloaded (`node -r ./bench/core-alias.js`) to run a bench server against another build:
// AUDITKIT_CORE_DIR=<a core package directory with dist/> makes every `@auditkit/core` import load
// that build, and every framework adapter import (`@auditkit/express`, `fastify`, `grpc`, `nestjs`)
// load the adapter built beside it in the same tree, so a before/after covers the adapters too.
const { existsSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');

const dir = process.env.AUDITKIT_CORE_DIR;
if (dir) {
  const entries = {
    '@auditkit/core': join(dir, 'dist/index.js'),
    '@auditkit/core/adapter': join(dir, 'dist/adapter.js'),
    '@auditkit/core/store': join(dir, 'dist/store.js'),
    '@auditkit/core/package.json': join(dir, 'package.json'),
  };
  for (const adapter of ['express', 'fastify', 'grpc', 'nestjs']) {
    const pkg = join(dirname(dir), adapter);
    if (existsSync(join(pkg, 'dist', 'index.js')))
      entries[`@auditkit/${adapter}`] = join(pkg, 'dist', 'index.js');
  }
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveBuild(request, ...rest) {
    const entry = entries[request];
    return entry ?? resolve.call(this, request, ...rest);
  };
}
