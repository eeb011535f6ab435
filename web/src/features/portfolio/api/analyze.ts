import type { ApiClient } from '../../../lib/api-client';
import type { AnalyzeResponse, Holding } from '../../../lib/api-types';
import { type RetryOptions, withIdempotencyKey } from '../../../lib/idempotent';

/** POST /api/analyze with a fresh Idempotency-Key, reused by its retries. */
export function analyzePortfolio(
  api: ApiClient,
  portfolio: Holding[],
  retry?: RetryOptions,
): Promise<AnalyzeResponse> {
  return withIdempotencyKey(
    (key) =>
      api.request<AnalyzeResponse>('/api/analyze', {
        method: 'POST',
        body: { portfolio },
        headers: { 'idempotency-key': key },
      }),
    retry,
  );
}
