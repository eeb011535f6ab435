/**
 * Setup of the unit suite (vitest.unit.config.ts). Under mutation testing, a property that
 * fails stops at its first counterexample instead of shrinking it: the mutant is killed either
 * way, and shrinking a hundred runs per surviving mutant would dominate the run time.
 */
import fc from 'fast-check';

if (process.env.STOCK_CONSULTANT_MUTATION === '1') fc.configureGlobal({ endOnFailure: true });
