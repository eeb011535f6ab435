/** Configuration of the price pipeline (see platform/config.ts for how sections are read). */
import { z } from 'zod';
import { parse, positiveInt, section } from '../platform/config';

/** Ingestion: how far in the future a tick's `ts` may be before it is rejected. */
export const ingestConfig = section((env) => {
  const v = parse(z.object({ MAX_TICK_FUTURE_SECONDS: positiveInt(300) }), env, 'ingestion');
  return { maxFutureMs: v.MAX_TICK_FUTURE_SECONDS * 1000 };
});
