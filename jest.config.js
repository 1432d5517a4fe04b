// One root config; each package with a test/ folder is a project, so `--selectProjects <name>`
// runs one of them. Supported majors of a framework are switched by env (see package.json).
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const expressMajor = process.env.AUDITKIT_EXPRESS_MAJOR === '4' ? 'express4' : 'express';
const fastifyMajor = process.env.AUDITKIT_FASTIFY_MAJOR === '4' ? 'fastify4' : 'fastify';

const shared = {
  testEnvironment: 'node',
  transform: {
    // Decorators as TypeScript's experimentalDecorators + emitDecoratorMetadata (NestJS needs both).
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      },
    ],
    // light-my-request (Fastify's inject) depends on an ESM-only `cookie`: compiled to CommonJS for jest.
    '/cookie/dist/index\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
    // @platformatic/kafka and its helpers are ESM-only (Node loads them with require(); jest needs CommonJS).
    '/@platformatic/[^/]+/dist/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(?:.*/)?(?:cookie|@platformatic/[^/]+)/dist/)'],
  moduleNameMapper: {
    // Tests run against the sources, not dist, so they never see a stale build.
    '^@auditkit/test-utils$': '<rootDir>/test/utils/src',
    '^@auditkit/example-(express|fastify|nest)-app$': '<rootDir>/examples/$1-app/src/app',
    '^@auditkit/example-grpc-service$': '<rootDir>/examples/grpc-service/src/service',
    '^@auditkit/([a-z-]+)$': '<rootDir>/packages/$1/src',
    // Entry points per audience (`@auditkit/core/adapter`, `/store`): src/<entry>.ts.
    '^@auditkit/([a-z-]+)/(adapter|store)$': '<rootDir>/packages/$1/src/$2',
    '^express$': expressMajor,
    '^fastify$': fastifyMajor,
  },
  rootDir: __dirname,
};

const packages = readdirSync(join(__dirname, 'packages')).filter((name) =>
  existsSync(join(__dirname, 'packages', name, 'test')),
);

/** A package's test/global-setup.js (and -teardown) start what all its files share, such as a broker. */
function globalSetup(name) {
  const dir = join(__dirname, 'packages', name, 'test');
  if (!existsSync(join(dir, 'global-setup.js'))) return {};
  return { globalSetup: join(dir, 'global-setup.js'), globalTeardown: join(dir, 'global-teardown.js') };
}

module.exports = {
  testTimeout: 30000,
  // Jest's default is one worker per core less one: a single worker on a 2-core machine, while most
  // files spend their time waiting on servers, brokers and browsers rather than on the CPU.
  maxWorkers: 2,
  // A worker whose heap has grown past this is replaced after its file: suites that run late in a
  // long-lived worker otherwise pay for the garbage of every file before them.
  workerIdleMemoryLimit: '400MB',
  projects: [
    ...packages.map((name) => ({
      ...shared,
      displayName: name,
      testMatch: [`<rootDir>/packages/${name}/test/**/*.test.ts`],
      ...globalSetup(name),
    })),
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
  ],
};
