// Preloaded (`node -r ./bench/core-alias.js`) to run a bench server against another build of core:
// AUDITKIT_CORE_DIR=<a core package directory with dist/> makes every `@auditkit/core` import, the
// adapters' included, load that build. The adapters are the same in both; only core differs.
const Module = require('node:module');
const { join } = require('node:path');

const dir = process.env.AUDITKIT_CORE_DIR;
if (dir) {
  const entries = {
    '@auditkit/core': 'dist/index.js',
    '@auditkit/core/adapter': 'dist/adapter.js',
    '@auditkit/core/store': 'dist/store.js',
    '@auditkit/core/package.json': 'package.json',
  };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveCore(request, ...rest) {
    const entry = entries[request];
    return entry ? join(dir, entry) : resolve.call(this, request, ...rest);
  };
}
