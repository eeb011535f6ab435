/**
 * The daily retention job (SPEC §9, docs/retention.md): erases the stored portfolio and answer
 * of every analysis older than RETENTION_MONTHS (default 13) whole IST months, exactly as
 * DELETE /api/analyses/{id} does; the ledger and invoices are kept. In AWS EventBridge invokes
 * it daily at 02:00 IST (lib/constructs/retention.ts); `npm start` runs it on a timer
 * (local/stack.ts). It works in short batches and stops with time to spare; whatever is left
 * is pruned by the next run, so a missed or cut-short day only delays pruning by a day.
 */
import { z } from 'zod';
import { pruneAnalyses } from './analysis/retention-store';
import {
  DEFAULT_RETENTION_MONTHS,
  MAX_RETENTION_MONTHS,
  MIN_RETENTION_MONTHS,
  retentionCutoff,
} from './core/retention';
import { parse, positiveInt, section } from './platform/config';
import { db } from './platform/db';
import { MetricUnit, powertools } from './platform/powertools';

export interface RetentionConfig {
  months: number;
  /** Users visited per statement, and analyses erased per user per statement (retention-store.ts). */
  batchUsers: number;
  batchPerUser: number;
}

export const retentionConfig = section((env): RetentionConfig => {
  const v = parse(
    z.object({
      RETENTION_MONTHS: z.coerce
        .number()
        .int()
        .min(MIN_RETENTION_MONTHS)
        .max(MAX_RETENTION_MONTHS)
        .default(DEFAULT_RETENTION_MONTHS),
      // ≤ 200 × 50 = 10,000 rows per statement: a few hundred milliseconds of row locks.
      RETENTION_BATCH_USERS: positiveInt(200),
      RETENTION_BATCH_PER_USER: positiveInt(50),
    }),
    env,
    'retention',
  );
  return {
    months: v.RETENTION_MONTHS,
    batchUsers: v.RETENTION_BATCH_USERS,
    batchPerUser: v.RETENTION_BATCH_PER_USER,
  };
});

const tools = powertools('retention');
/** Stop starting batches when less than this is left of the invocation. */
const RESERVE_MS = 30_000;

/** One run at `now`: what was pruned, and the cutoff used. */
export async function runRetention(now: Date, outOfTime: () => boolean = () => false) {
  const config = retentionConfig();
  const cutoff = retentionCutoff(now, config.months);
  const result = await pruneAnalyses(
    await db(),
    cutoff,
    { users: config.batchUsers, perUser: config.batchPerUser },
    outOfTime,
  );
  return { ...result, cutoff: cutoff.toISOString(), months: config.months };
}

export const handler = async (_event: unknown, context?: { getRemainingTimeInMillis(): number }) => {
  const remaining = context?.getRemainingTimeInMillis();
  const deadline = remaining === undefined ? undefined : Date.now() + remaining - RESERVE_MS;
  try {
    const run = await runRetention(new Date(), () => deadline !== undefined && Date.now() > deadline);
    tools.logger.info('retention run', run);
    tools.metrics.addMetric('AnalysesPruned', MetricUnit.Count, run.pruned);
    tools.metrics.addMetric('RetentionIncomplete', MetricUnit.Count, run.complete ? 0 : 1);
    return run;
  } finally {
    if (tools.metrics.hasStoredMetrics()) tools.metrics.publishStoredMetrics();
  }
};
