/**
 * Configuration of billing's jobs (see platform/config.ts for how sections are read): the
 * Flexprice connection the outbox sync and the reconciliation share, and the reconciliation's
 * own bounds.
 */
import { z } from 'zod';
import { optionalString, parse, positiveInt, section } from '../platform/config';

/** Flexprice's hosted API (the SDK README's server URL); `/v1` included, as the SDK expects. */
export const FLEXPRICE_DEFAULT_API_URL = 'https://us.api.flexprice.io/v1';

/** Where the Flexprice API key comes from: the environment (local) or Secrets Manager (AWS). */
export type FlexpriceKeySource = { kind: 'value'; value: string } | { kind: 'secret'; secretArn: string };

export type FlexpriceConfig =
  | { enabled: false }
  | {
      enabled: true;
      apiUrl: string;
      key: FlexpriceKeySource;
      /** Outbox rows claimed and sent per request (Flexprice's bulk endpoint takes ≤ 1,000). */
      batchSize: number;
      /** Attempts before a row is dead-lettered. */
      maxAttempts: number;
      /** Per-request timeout; a timeout counts as a failed attempt and is retried later. */
      timeoutMs: number;
      /** Backoff between attempts: base × 2^(attempt-1), capped, with equal jitter (core backoffMs). */
      backoffBaseMs: number;
      backoffMaxMs: number;
      /** How long a claim holds a row; a crashed run's rows become due again after it. */
      leaseMs: number;
    };

/**
 * Billing-provider sync (issue 5). Off unless a key is configured: `FLEXPRICE_API_KEY` (local)
 * or `FLEXPRICE_API_KEY_SECRET_ARN` (AWS; the secret's value is the bare key, read once per
 * container). `FLEXPRICE_API_URL` is the base URL including `/v1`.
 */
export const flexpriceConfig = section((env): FlexpriceConfig => {
  const v = parse(
    z.object({
      FLEXPRICE_API_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
      FLEXPRICE_API_KEY: optionalString,
      FLEXPRICE_API_KEY_SECRET_ARN: optionalString,
      FLEXPRICE_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
      FLEXPRICE_MAX_ATTEMPTS: positiveInt(24),
      FLEXPRICE_TIMEOUT_MS: positiveInt(10_000),
      FLEXPRICE_BACKOFF_BASE_MS: positiveInt(30_000),
      FLEXPRICE_BACKOFF_MAX_MS: positiveInt(3_600_000),
      FLEXPRICE_LEASE_MS: positiveInt(120_000),
    }),
    env,
    'Flexprice',
  );
  const key: FlexpriceKeySource | undefined = v.FLEXPRICE_API_KEY
    ? { kind: 'value', value: v.FLEXPRICE_API_KEY }
    : v.FLEXPRICE_API_KEY_SECRET_ARN
      ? { kind: 'secret', secretArn: v.FLEXPRICE_API_KEY_SECRET_ARN }
      : undefined;
  if (!key) return { enabled: false };
  return {
    enabled: true,
    apiUrl: (v.FLEXPRICE_API_URL ?? FLEXPRICE_DEFAULT_API_URL).replace(/\/+$/, ''),
    key,
    batchSize: v.FLEXPRICE_BATCH_SIZE,
    maxAttempts: v.FLEXPRICE_MAX_ATTEMPTS,
    timeoutMs: v.FLEXPRICE_TIMEOUT_MS,
    backoffBaseMs: v.FLEXPRICE_BACKOFF_BASE_MS,
    backoffMaxMs: v.FLEXPRICE_BACKOFF_MAX_MS,
    leaseMs: v.FLEXPRICE_LEASE_MS,
  };
});

/** The daily reconciliation's bounds; Flexprice's URL and key are `flexpriceConfig`'s. */
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
