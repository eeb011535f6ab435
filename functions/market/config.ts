/** Configuration of the price pipeline (see platform/config.ts for how sections are read). */
import { z } from 'zod';
import { parse, positiveInt, section } from '../platform/config';

/**
 * Ingestion:
 * - `MAX_TICK_FUTURE_SECONDS`: how far in the future a tick's `ts` may be before it is rejected.
 * - `CONSUMER_FAILURE_PAUSE_MS`: how long the consumer waits before reporting a batch it could
 *   not apply (database down). In AWS this spaces out the mapping's retries, which Lambda makes
 *   back to back, so that its bounded retry attempts last at least as long as the record-age
 *   limit (lib/stacks/ingest-stack.ts); locally 0, since the poller backs off itself.
 */
export const ingestConfig = section((env) => {
  const v = parse(
    z.object({
      MAX_TICK_FUTURE_SECONDS: positiveInt(300),
      CONSUMER_FAILURE_PAUSE_MS: z.coerce.number().int().min(0).max(60_000).default(0),
    }),
    env,
    'ingestion',
  );
  return { maxFutureMs: v.MAX_TICK_FUTURE_SECONDS * 1000, failurePauseMs: v.CONSUMER_FAILURE_PAUSE_MS };
});
