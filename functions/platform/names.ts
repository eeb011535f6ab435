/**
 * Names that the CDK app (lib/) and the functions must agree on, defined once. This file imports
 * nothing, so lib/ can use it without pulling function code into the CDK app.
 */

/** CloudWatch namespace of every custom metric (Powertools EMF) and of the alarms that watch them. */
export const METRICS_NAMESPACE = 'StockConsultant';

/** Cognito group whose members may use admin routes (`?scope=global`, payments, reconciliation). */
export const ADMIN_GROUP = 'admin';

/**
 * Authentication failures are counted under one `service` dimension for all API functions, so
 * one alarm (lib/stacks/api-stack.ts) watches every route: `AuthenticationFailures`
 * (401: missing, malformed, expired, unknown or revoked credential) and `ApiKeyRefused` (403: an
 * API key on a route that takes access tokens only).
 */
export const AUTH_METRICS_SERVICE = 'api-auth';
export const AUTH_FAILURES_METRIC = 'AuthenticationFailures';
export const KEY_REFUSED_METRIC = 'ApiKeyRefused';

/** Environment variable of the consumer's pause before reporting a failed batch (market/config.ts). */
export const CONSUMER_FAILURE_PAUSE_ENV = 'CONSUMER_FAILURE_PAUSE_MS';

/** Environment variable that carries the stage (`dev`, `prod`) into every function. */
export const STAGE_ENV = 'STAGE';

/** The stage metrics carry when `STAGE` is unset (`npm start`, tests). */
export const LOCAL_STAGE = 'local';

/**
 * The dimensions of every custom metric: the function's service name (Powertools adds it as
 * `service`) and the stage, so dev and prod sharing an account never mix metrics or alarms.
 * The functions publish with these (platform/powertools.ts) and the alarms watch these
 * (lib/metrics.ts).
 */
export function metricDimensions(service: string, stage: string): { service: string; stage: string } {
  return { service, stage };
}

/**
 * The functions that write the disaster-recovery journal (functions/platform/journal.ts), by
 * entry: the CDK app gives these, and only these, `JOURNAL_BUCKET` and s3:PutObject on it.
 * test/infra/dr.test.ts checks the list against the code.
 */
export const JOURNALING_FUNCTIONS = ['key-revoke', 'analysis-delete', 'invoice-payment', 'invoices'] as const;

/** Environment variable naming the journal's bucket (functions/platform/journal.ts). */
export const JOURNAL_BUCKET_ENV = 'JOURNAL_BUCKET';

/** Where in that bucket the entries are (one object each). */
export const JOURNAL_PREFIX = 'journal/';
