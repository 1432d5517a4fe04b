// Import rules every package keeps (run by `npm run lint`): no import circles, and core stays free of
// adapters and stores, which depend on it.
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: modules load half-initialised and stages stop being separable.',
      from: {},
      // Type-only imports are erased at compile time: they cannot load a module half-initialised.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'core-imports-no-adapter-or-store',
      severity: 'error',
      comment: 'Core decides, adapters and stores translate: they import core, never the reverse.',
      from: { path: '^packages/core/src' },
      to: { path: ['^packages/(?!core/)[^/]+/', 'node_modules/@auditkit/(?!core/)'] },
    },
  ],
  options: {
    // Packages import each other's built output (dist/): listed, not followed, so each package is checked once.
    doNotFollow: { path: ['node_modules', '(^|/)dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    combinedDependencies: false,
  },
};
