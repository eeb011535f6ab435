/** Configuration of the billing provider sync (see platform/config.ts for how sections are read). */
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
      /** Backoff between attempts: base × 2^(attempt-1), capped, with full jitter. */
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
