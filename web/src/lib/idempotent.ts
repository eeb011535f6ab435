/**
 * Idempotent retries for charged requests: every new analyze gets a fresh Idempotency-Key; a
 * retry after a network error or a 503 reuses it, so the server answers the first result and a
 * flaky connection never charges twice (SPEC §3).
 */
import { ApiError, NetworkError } from './errors';

export interface RetryOptions {
  /** Total attempts, the first included (default 3). */
  attempts?: number;
  newKey?: () => string;
  /** Waits between attempts; tests pass one that does not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A retry is safe only when the server may not have answered: network error or 503. */
function isRetryable(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof ApiError && error.status === 503);
}

/** Wait before the next attempt: Retry-After when the server gave one (capped at 5 s), else backoff. */
function delayFor(error: unknown, attempt: number): number {
  if (error instanceof ApiError && error.retryAfterSeconds !== null)
    return Math.min(error.retryAfterSeconds, 5) * 1000;
  return 500 * 2 ** attempt;
}

export async function withIdempotencyKey<T>(
  send: (idempotencyKey: string) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  const key = (options.newKey ?? (() => crypto.randomUUID()))();
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send(key);
    } catch (error) {
      if (!isRetryable(error) || attempt + 1 >= attempts) throw error;
      await sleep(delayFor(error, attempt));
    }
  }
}
