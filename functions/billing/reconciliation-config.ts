/**
 * Configuration of the billing reconciliation (see platform/config.ts for how sections are read).
 * Flexprice's URL and key are the sync's (billing/config.ts); these are the run's own bounds.
 */
import { z } from 'zod';
import { parse, positiveInt, section } from '../platform/config';

export interface ReconcileConfig {
  /** Events per `events/query` page (Flexprice's default; our maximum): 50. */
  pageSize: number;
  /** Pages per customer and feature before the run fails rather than loop. */
  maxPages: number;
  /** Customers checked at once (each is 2 usage requests, more when totals differ). */
  concurrency: number;
  /** Customers read from the ledger, checked and saved as one step (the resume granularity). */
  customersPerStep: number;
  /** An event accepted by Flexprice less than this long ago may not be visible yet. */
  settleMs: number;
  /** Attempts per Flexprice request (first included) on 429/5xx/timeouts, with backoff. */
  attempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long an invocation holds a run; longer than the Lambda timeout. */
  leaseMs: number;
  /** Follow-up runs recheck `resent` days up to this many days back… */
  followUpDays: number;
  /** …once their last run finished at least this long ago (the resends have been synced). */
  recheckAfterMs: number;
}

export const reconcileConfig = section((env): ReconcileConfig => {
  const v = parse(
    z.object({
      RECONCILE_PAGE_SIZE: z.coerce.number().int().min(1).max(50).default(50),
      RECONCILE_MAX_PAGES: positiveInt(2_000),
      RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(8),
      RECONCILE_CUSTOMERS_PER_STEP: positiveInt(50),
      RECONCILE_SETTLE_MS: z.coerce.number().int().min(0).default(600_000),
      RECONCILE_ATTEMPTS: positiveInt(4),
      RECONCILE_BACKOFF_BASE_MS: positiveInt(1_000),
      RECONCILE_BACKOFF_MAX_MS: positiveInt(20_000),
      RECONCILE_LEASE_MS: positiveInt(16 * 60_000),
      RECONCILE_FOLLOW_UP_DAYS: positiveInt(7),
      RECONCILE_RECHECK_AFTER_MS: positiveInt(30 * 60_000),
    }),
    env,
    'reconciliation',
  );
  return {
    pageSize: v.RECONCILE_PAGE_SIZE,
    maxPages: v.RECONCILE_MAX_PAGES,
    concurrency: v.RECONCILE_CONCURRENCY,
    customersPerStep: v.RECONCILE_CUSTOMERS_PER_STEP,
    settleMs: v.RECONCILE_SETTLE_MS,
    attempts: v.RECONCILE_ATTEMPTS,
    backoffBaseMs: v.RECONCILE_BACKOFF_BASE_MS,
    backoffMaxMs: v.RECONCILE_BACKOFF_MAX_MS,
    leaseMs: v.RECONCILE_LEASE_MS,
    followUpDays: v.RECONCILE_FOLLOW_UP_DAYS,
    recheckAfterMs: v.RECONCILE_RECHECK_AFTER_MS,
  };
});
