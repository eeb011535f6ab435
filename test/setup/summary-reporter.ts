/**
 * Prints one plain closing line, `vitest: N passed, N failed, N skipped`, that any CI can read.
 * A file whose setup failed (a `beforeAll` that threw) runs none of its tests: vitest reports them
 * skipped, so such a file counts here as one failure, never as a pass.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') {
          counts.failed += 1;
          failedTests += 1;
        } else counts.skipped += 1;
      }
      if (failedTests === 0 && module.state() === 'failed') counts.failed += 1;
    }
    console.log(`\nvitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
