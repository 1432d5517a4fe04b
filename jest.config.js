// One root config; each package with a test/ folder is a project, so `--selectProjects <name>`
// runs one of them. Supported majors of a framework are switched by env (see package.json).
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const expressMajor = process.env.AUDITKIT_EXPRESS_MAJOR === '4' ? 'express4' : 'express';

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: {
    // Tests run against the sources, not dist, so they never see a stale build.
    '^@auditkit/test-utils$': '<rootDir>/test/utils/src',
    '^@auditkit/example-express-app$': '<rootDir>/examples/express-app/src/app',
    '^@auditkit/([a-z-]+)$': '<rootDir>/packages/$1/src',
    '^express$': expressMajor,
  },
  rootDir: __dirname,
};

const packages = readdirSync(join(__dirname, 'packages')).filter((name) =>
  existsSync(join(__dirname, 'packages', name, 'test')),
);

module.exports = {
  testTimeout: 30000,
  projects: [
    ...packages.map((name) => ({
      ...shared,
      displayName: name,
      testMatch: [`<rootDir>/packages/${name}/test/**/*.test.ts`],
    })),
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
  ],
};
