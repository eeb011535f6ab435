// @ts-check
/**
 * `npm run test:mutation`: StrykerJS mutates the pure core and runs the unit tests that need no
 * database (vitest.unit.config.ts) against each mutant. See docs/testing.md.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
// Read by test/setup/unit.ts in the test runners Stryker starts (they inherit the environment).
process.env.STOCK_CONSULTANT_MUTATION = '1';

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.unit.config.ts' },
  mutate: ['functions/core/**/*.ts'],
  // TypeScript 7 (tsgo) has no JS API for Stryker to load. Type-check comments stay off and
  // Stryker is given a tsconfig that does not exist, so it never reads the real one.
  disableTypeChecks: false,
  tsconfigFile: 'stryker.tsconfig.none.json',
  coverageAnalysis: 'perTest',
  // The machine is shared: one test runner at a time (about 3.5 minutes over the core).
  concurrency: 1,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: '.stryker-tmp',
  thresholds: { high: 85, low: 75, break: null },
};
