/**
 * Daily jobs that `npm start` runs the way EventBridge runs them in AWS: the retention job
 * (lib/constructs/retention.ts, daily) and, when Flexprice is configured, the billing
 * reconciliation (lib/stacks/billing-stack.ts: the previous IST day once a day, follow-ups
 * every 15 minutes). Each calls the same handler as its Lambda. Imported after local/stack.ts
 * has set the environment the handlers read.
 */
import { istDate } from '../functions/core/ist';
import { type Repeating, repeat } from './repeat';

const DAY_MS = 24 * 60 * 60_000;
/** As RECONCILE_FOLLOW_UP_RATE in AWS. */
const FOLLOW_UP_MS = 15 * 60_000;

/** Prune analyses past retention now, then once a day (an idempotent run: a restart repeats nothing). */
export async function localRetention(log: (line: string) => void): Promise<Repeating> {
  const { runRetention } = await import('../functions/retention');
  return repeat(
    'retention',
    DAY_MS,
    async () => {
      const run = await runRetention(new Date());
      if (run.pruned) log(`retention  ${run.pruned} analyses older than ${run.months} months pruned`);
    },
    log,
  );
}

/**
 * Every 15 minutes the follow-up (unfinished and `resent` days), and once per IST day first the
 * daily run of the previous day: what the two AWS schedules do, from one timer.
 */
export async function localReconciliation(log: (line: string) => void): Promise<Repeating> {
  const { handler } = await import('../functions/reconcile');
  let dailyDoneFor: string | undefined;
  log('billing    reconciliation on: the previous IST day daily, follow-ups every 15 min');
  return repeat(
    'reconciliation',
    FOLLOW_UP_MS,
    async () => {
      const today = istDate(new Date());
      const jobs = dailyDoneFor === today ? ['follow-up' as const] : ['daily' as const, 'follow-up' as const];
      for (const job of jobs) {
        const result = await handler({ job });
        if (job === 'daily') dailyDoneFor = today;
        for (const run of 'runs' in result ? (result.runs ?? []) : []) log(`reconcile  ${run.summary}`);
      }
    },
    log,
  );
}
