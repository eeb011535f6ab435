import { defineConfig } from 'vitest/config';

/**
 * The unit tests of the pure core: no database, no kinesalite, no global setup. Used by
 * `npm run test:mutation` (StrykerJS runs them once per mutant, so they must be fast and
 * self-contained). `npm test` runs them too, through vitest.config.ts.
 */
export default defineConfig({
  test: {
    include: ['test/core/**/*.test.ts'],
    setupFiles: ['test/setup/unit.ts'],
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  },
});
