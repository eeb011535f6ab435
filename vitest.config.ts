import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/test/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/env.ts'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    // A full CDK synth with cdk-nag (15 route functions) takes 15-40 s on a busy 2-core machine.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Two cores: two workers keep PostgreSQL responsive while files run side by side.
    maxWorkers: 2,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_REGION: 'ap-south-1',
      // /health caches its probe for 5 s per container; tests see each change at once, and
      // test/api/health.test.ts turns the cache on where it tests the cache.
      HEALTH_CACHE_MS: '0',
    },
  },
});
