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
 * one alarm (lib/stacks/observability-stack.ts) watches every route: `AuthenticationFailures`
 * (401: missing, malformed, expired, unknown or revoked credential) and `ApiKeyRefused` (403: an
 * API key on a route that takes access tokens only).
 */
export const AUTH_METRICS_SERVICE = 'api-auth';
export const AUTH_FAILURES_METRIC = 'AuthenticationFailures';
export const KEY_REFUSED_METRIC = 'ApiKeyRefused';

/** Environment variable of the consumer's pause before reporting a failed batch (market/config.ts). */
export const CONSUMER_FAILURE_PAUSE_ENV = 'CONSUMER_FAILURE_PAUSE_MS';
