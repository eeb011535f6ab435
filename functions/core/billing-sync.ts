/**
 * Decisions of the billing-provider sync, free of I/O: what an outbox row looks like on the
 * wire, which failures are worth retrying, how long to wait before the next attempt, and what
 * of an error may be stored (never a key or URL).
 */

/** An outbox row as claimed for sending (migrations/0003 billing_outbox). */
export interface OutboxRow {
  eventId: string;
  feature: string;
  userSub: string;
  quantity: number;
  unitPricePaise: string;
  occurredAt: Date;
  /** Attempts including the current one (the claim counts it). */
  attempts: number;
  /** True when the provider already knows this user as a customer. */
  customerKnown: boolean;
  /**
   * SHA-256 (hex) of the analysis's Idempotency-Key, null without one. Sent with the event so
   * that a placeholder adopted after a restore keeps it (docs/operations.md).
   */
  idempotencyKeySha256?: string | null;
}

/** One usage event in the provider's terms (`@flexprice/sdk` DtoIngestEventRequest). */
export interface BillingEvent {
  eventId: string;
  eventName: string;
  externalCustomerId: string;
  /** Flexprice requires string values; it parses numbers server-side. */
  properties: Record<string, string>;
  /** ISO-8601, the stored event time: Flexprice deduplicates on (event_id, timestamp). */
  timestamp: string;
  source: string;
}

const EVENT_SOURCE = 'stock-consultant';

/**
 * The event for a row. The event name is the feature (`portfolio_analysis`,
 * `advice_generation`): Flexprice meters are defined on these names, summing `quantity`.
 * The timestamp is rendered from the stored time, so every retry sends the same string.
 */
export function toBillingEvent(row: OutboxRow): BillingEvent {
  return {
    eventId: row.eventId,
    eventName: row.feature,
    externalCustomerId: row.userSub,
    properties: {
      quantity: String(row.quantity),
      unit_price_paise: row.unitPricePaise,
      ...(row.idempotencyKeySha256 ? { idempotency_key_sha256: row.idempotencyKeySha256 } : {}),
    },
    timestamp: row.occurredAt.toISOString(),
    source: EVENT_SOURCE,
  };
}

export interface Failure {
  /** 429, 5xx, network and timeouts are transient; other 4xx will fail the same way again. */
  retryable: boolean;
  /** Safe to store and log: status and the provider's message, truncated, secrets scrubbed. */
  reason: string;
}

const MAX_REASON = 300;

/** Remove every occurrence of the given secrets (API key, base URL) from a message. */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out.replace(/\s+/g, ' ').trim().slice(0, MAX_REASON);
}

/**
 * Classify what the Flexprice SDK threw (SPEC §6). The SDK's typed errors carry `statusCode`
 * (`ErrorsErrorsErrorResponse`, `SDKError`): 429 and 5xx are retried, other statuses are not.
 * Everything else is retried: transport failures (`ConnectionError`, `RequestTimeoutError`,
 * `RequestAbortedError`, `UnexpectedClientError`) and anything unrecognised, because a bounded
 * number of retries is cheaper than losing a charge to a misclassified error.
 */
export function classifyFailure(error: unknown, secrets: readonly string[] = []): Failure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (typeof e.statusCode === 'number') {
    const status = e.statusCode;
    const retryable = status === 429 || status >= 500;
    return { retryable, reason: scrub(`HTTP ${status} (${name}): ${message}`, secrets) };
  }
  return { retryable: true, reason: scrub(`${name}: ${message}`, secrets) };
}

export interface BackoffPolicy {
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/**
 * Delay before attempt `attempts + 1`: exponential (base × 2^(attempts-1), capped) with
 * "equal jitter" — half fixed, half random — so retries of a whole outage's backlog spread out
 * but never come back immediately.
 */
export function backoffMs(
  attempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** What happens to a row after a failed attempt. */
export function afterFailure(
  row: Pick<OutboxRow, 'attempts'>,
  failure: Failure,
  maxAttempts: number,
): 'retry' | 'dead' {
  return failure.retryable && row.attempts < maxAttempts ? 'retry' : 'dead';
}
