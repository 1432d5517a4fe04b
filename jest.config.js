// One root config; each package is a project so `--selectProjects` can run one of them.
const expressMajor = process.env.AUDITKIT_EXPRESS_MAJOR === '4' ? 'express4' : 'express';

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: {
    // Tests run against the sources, not dist, so they never see a stale build.
    '^@auditkit/test-utils$': '<rootDir>/test/utils/src',
    '^@auditkit/([a-z-]+)$': '<rootDir>/packages/$1/src',
    '^express$': expressMajor,
  },
  rootDir: __dirname,
};

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...shared, displayName: 'core', testMatch: ['<rootDir>/packages/core/test/**/*.test.ts'] },
    { ...shared, displayName: 'express', testMatch: ['<rootDir>/packages/express/test/**/*.test.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
  ],
};
